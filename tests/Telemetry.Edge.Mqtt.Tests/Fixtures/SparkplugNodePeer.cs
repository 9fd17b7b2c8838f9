using System.Diagnostics;
using System.Reflection;

namespace Telemetry.Edge.Mqtt.Tests.Fixtures;

/// <summary>Runs hardware/sparkplug-node/node.js (Eclipse Tahu sparkplug-payload + MQTT.js) for one scenario.</summary>
internal static class SparkplugNodePeer
{
    public static string Directory
    {
        get
        {
            var root = typeof(SparkplugNodePeer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value
                ?? throw new DirectoryNotFoundException("The test assembly does not name its repository root.");
            return Path.Combine(root, "hardware", "sparkplug-node");
        }
    }

    /// <summary>Runs the scenario to its end and returns its step log (one JSON object per line).</summary>
    public static async Task<string> RunAsync(string host, int port, string scenario, string group = "G1", string node = "E1")
    {
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Directory };
        foreach (var a in new[] { "node.js", host, port.ToString(System.Globalization.CultureInfo.InvariantCulture), scenario, group, node })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(true);
            throw new TimeoutException($"sparkplug-node {scenario} did not finish: {await output}");
        }

        Assert.True(process.ExitCode == 0, $"sparkplug-node {scenario} exited {process.ExitCode}: {await error}\n{await output}");
        return await output;
    }
}
