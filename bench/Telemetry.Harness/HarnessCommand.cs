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
    ];

    public static IEnumerable<string> ScenarioNames =>
        Faults.Select(f => f.Name).Prepend(NodeRedScenario.Name).Prepend(ScenarioRunner.SteadyInflux).Prepend(ScenarioRunner.Steady);

    public static async Task<int> RunAsync(string[] args, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(log);
        var isShort = false;
        string? scenario = null;
        var outDirectory = "harness-results";
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
                default:
                    log.WriteLine($"unknown argument '{args[i]}'. Usage: [--short] [--scenario {string.Join('|', ScenarioNames)}] [--out DIR]");
                    return 2;
            }
        }

        if (scenario is not null && !ScenarioNames.Contains(scenario, StringComparer.Ordinal))
        {
            log.WriteLine($"unknown scenario '{scenario}'; use one of {string.Join(", ", ScenarioNames)}.");
            return 2;
        }

        var settings = isShort ? HarnessSettings.ShortRun(outDirectory, scenario) : HarnessSettings.Full(outDirectory, scenario);
        Directory.CreateDirectory(outDirectory);
        log.WriteLine($"{DateTime.UtcNow:u} {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}; results in {Path.GetFullPath(outDirectory)}");
        var results = new List<ScenarioResult>();
        var failures = new List<string>();
        var anchors = new List<AnchorResult>();
        foreach (var name in ScenarioNames.Where(n => scenario is null || n == scenario))
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
                var result = await ScenarioRunner.RunAsync(settings, fault, log, cancellationToken, store);
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
