using System.Globalization;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Live;

namespace Telemetry.Ingest.Health;

/// <summary>A configured rule with its patterns compiled, and the pure decisions of its kind (no state, no time).</summary>
internal sealed class AlertRule
{
    public AlertRule(AlertRuleOptions options)
    {
        Options = options;
        Machine = GlobPattern.Parse(options.Machine);
        Field = GlobPattern.Parse(options.Field);
    }

    public AlertRuleOptions Options { get; }

    public string Name => Options.Name;

    public AlertRuleKind Kind => Options.Kind;

    public GlobPattern Machine { get; }

    public GlobPattern Field { get; }

    public bool Watches(string machine, string tag) => Machine.IsMatch(machine) && Field.IsMatch(tag);

    /// <summary>Threshold: raise strictly beyond a limit.</summary>
    public bool ThresholdRaises(double value) =>
        (Options.Above is { } above && value > above) || (Options.Below is { } below && value < below);

    /// <summary>Threshold: clear only once back inside by the hysteresis (no flapping around the limit).</summary>
    public bool ThresholdClears(double value) =>
        (Options.Above is not { } above || value < above - Options.Hysteresis) &&
        (Options.Below is not { } below || value > below + Options.Hysteresis);

    public bool RateRaises(double perSecond) => Math.Abs(perSecond) > Options.RatePerSecond;

    public bool RateClears(double perSecond) => Math.Abs(perSecond) <= Options.RatePerSecond - Options.Hysteresis;

    public string ThresholdMessage(string tag, double value)
    {
        var limit = Options.Above is { } above && value > above
            ? string.Create(CultureInfo.InvariantCulture, $"{tag} {value:G6} above {above:G6}")
            : string.Create(CultureInfo.InvariantCulture, $"{tag} {value:G6} below {Options.Below:G6}");
        return Compose(limit);
    }

    public string RateMessage(string tag, double perSecond) =>
        Compose(string.Create(CultureInfo.InvariantCulture, $"{tag} changing {perSecond:G4}/s, limit {Options.RatePerSecond:G4}/s"));

    public string NoDataMessage(string field) =>
        Compose(string.Create(CultureInfo.InvariantCulture, $"no {field} data for {Options.NoDataFor.TotalSeconds:G4} s"));

    private string Compose(string detail) => Options.Message is { } message ? $"{message} ({detail})" : $"{Options.Name}: {detail}";
}
