using Telemetry.Harness.Faults;
using Telemetry.Harness.Report;
using Telemetry.Harness.Scenarios;

namespace Telemetry.Harness;

/// <summary>The command line: parse, run the chosen scenarios one after another on fresh rigs, write the reports.</summary>
public static class HarnessCommand
{
    public static IReadOnlyList<Fault> Faults { get; } =
    [
        new StoreDownFault(),
        new IngestRestartFault(),
        new EdgeKillFault(),
        new NetworkFault(),
        new PlcRestartFault(),
        new SpoolFullFault(),
        new MosquittoRestartFault(),
        new MosquittoCrashFault(),
    ];

    /// <summary>Runs only our pipeline into InfluxDB 1.x and the Node-RED anchor, on the same load (the comparison table).</summary>
    public const string Compare = "compare";

    public static IEnumerable<string> ScenarioNames =>
        Faults.Select(f => f.Name).Prepend(ScenarioRunner.MqttSteady).Prepend(NodeRedScenario.Name).Prepend(ScenarioRunner.SteadyInflux).Prepend(ScenarioRunner.Steady);

    public static async Task<int> RunAsync(string[] args, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(log);
        var isShort = false;
        string? scenario = null;
        var outDirectory = "harness-results";
        int? items = null;
        int? loadMs = null;
        double? hours = null;
        double? windowMinutes = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--short":
                    isShort = true;
                    break;
                case "--scenario" when i + 1 < args.Length:
                    scenario = args[++i];
                    break;
                case "--out" when i + 1 < args.Length:
                    outDirectory = args[++i];
                    break;
                case "--items" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n is > 0 and <= 100_000:
                    items = n;
                    i++;
                    break;
                case "--load-ms" when i + 1 < args.Length && int.TryParse(args[i + 1], out var ms) && ms is >= 10 and <= 60_000:
                    loadMs = ms;
                    i++;
                    break;
                case "--hours" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var h) && h is >= 0.01 and <= 1000:
                    hours = h;
                    i++;
                    break;
                case "--window-minutes" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var w) && w is >= 0.5 and <= 600:
                    windowMinutes = w;
                    i++;
                    break;
                default:
                    log.WriteLine($"unknown or invalid argument '{args[i]}'. Usage: [--short] [--scenario {string.Join('|', ScenarioNames)}|{Compare}|{SoakScenario.Name}] [--items 1..100000] [--load-ms 10..60000] [--hours 0.01..1000 --window-minutes 0.5..600 (soak)] [--out DIR]");
                    return 2;
            }
        }

        if (scenario is not null && scenario != Compare && scenario != SoakScenario.Name && !ScenarioNames.Contains(scenario, StringComparer.Ordinal))
        {
            log.WriteLine($"unknown scenario '{scenario}'; use one of {string.Join(", ", ScenarioNames)}, or {Compare} (steady-influxdb and nodered on the same load), or {SoakScenario.Name} (hours of 10,000 items at 1 Hz; not in the full run).");
            return 2;
        }

        if ((hours is not null || windowMinutes is not null) && scenario != SoakScenario.Name)
        {
            log.WriteLine($"--hours and --window-minutes are for --scenario {SoakScenario.Name} only.");
            return 2;
        }

        var settings = isShort ? HarnessSettings.ShortRun(outDirectory, scenario) : HarnessSettings.Full(outDirectory, scenario);
        settings = settings with { Items = items ?? settings.Items, LoadMs = loadMs ?? settings.LoadMs };
        Directory.CreateDirectory(outDirectory);
        log.WriteLine($"{DateTime.UtcNow:u} {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}; results in {Path.GetFullPath(outDirectory)}");
        if (scenario == SoakScenario.Name)
        {
            settings = SoakScenario.Defaults(settings, items is not null, loadMs is not null) with
            {
                SoakDuration = hours is { } hh ? TimeSpan.FromHours(hh) : settings.SoakDuration,
                SoakWindow = windowMinutes is { } wm ? TimeSpan.FromMinutes(wm) : settings.SoakWindow,
            };
            var soak = await SoakScenario.RunAsync(settings, log, cancellationToken);
            SoakReport.WriteCsv(soak, outDirectory);
            log.WriteLine(File.ReadAllText(SoakReport.WriteMarkdown(soak, outDirectory)));
            return soak.Passed ? 0 : 1;
        }
        var results = new List<ScenarioResult>();
        var failures = new List<string>();
        var anchors = new List<AnchorResult>();
        foreach (var name in ScenarioNames.Where(n => scenario is null || n == scenario || (scenario == Compare && n is ScenarioRunner.SteadyInflux or NodeRedScenario.Name)))
        {
            var fault = Faults.FirstOrDefault(f => f.Name == name);
            try
            {
                if (name == NodeRedScenario.Name)
                {
                    anchors.Add(await NodeRedScenario.RunAsync(settings, log, cancellationToken));
                    continue;
                }

                var store = name == ScenarioRunner.SteadyInflux ? Check.HarnessStore.InfluxDb1 : Check.HarnessStore.VictoriaMetrics;
                var load = name == ScenarioRunner.MqttSteady ? Rig.HarnessLoad.Mqtt : Rig.HarnessLoad.OpcUa;
                var result = await ScenarioRunner.RunAsync(settings, fault, log, cancellationToken, store, load);
                results.Add(result);
                CsvReport.Write(result, outDirectory);
                log.WriteLine($"[{name}] plot: {await PlotRenderer.WriteAsync(result, outDirectory, cancellationToken)}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{name}: {ex.GetType().Name}: {ex.Message}");
                log.WriteLine($"[{name}] FAILED: {ex}");
            }
        }

        var report = MarkdownReport.Write(results, anchors, failures, settings, outDirectory);
        log.WriteLine(File.ReadAllText(report));
        return failures.Count == 0 && results.All(r => r.Passed) ? 0 : 1;
    }
}
