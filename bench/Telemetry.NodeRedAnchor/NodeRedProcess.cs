using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Telemetry.NodeRedAnchor;

/// <summary>
/// Node-RED as a child process (Node 22 running red.js with the anchor's settings and a rendered flow file), its
/// output kept for error messages, and the flow's counter lines ("ANCHOR received=N errors=M", once a second) parsed.
/// Disposing kills it (the whole tree) if <see cref="StopAsync"/> did not stop it.
/// </summary>
internal sealed class NodeRedProcess : IAsyncDisposable
{
    private const string CounterPrefix = "ANCHOR received=";
    private const string SubscribeSentMarker = "ANCHOR subscribe-sent=";
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputFileGate = new();
    private StreamWriter? _outputFile;
    private long _received;
    private long _errors;
    private long _overflows;
    private long _subscribeSentTimestamp;

    private NodeRedProcess(Process process, StreamWriter? outputFile)
    {
        _process = process;
        _outputFile = outputFile;
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Changes the flow's function node has seen (as of its last counter line).</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Errors the flow's catch node has seen (as of its last counter line).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>
    /// Changes that came with the OPC UA Overflow bit (the PLC's queue of the item was full and it discarded older
    /// values: changes Node-RED never gets), as of the flow's last counter line.
    /// </summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>
    /// Time from <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp) until the flow logged that it
    /// had sent its last subscribe message to the OPC UA client node, or null when it has not yet.
    /// </summary>
    public TimeSpan? SubscribeSentAfter(long startTimestamp)
    {
        var at = Interlocked.Read(ref _subscribeSentTimestamp);
        return at == 0 ? null : Stopwatch.GetElapsedTime(startTimestamp, at);
    }

    /// <summary>The last lines Node-RED printed.</summary>
    public string OutputTail
    {
        get
        {
            lock (_output)
            {
                var text = _output.ToString();
                return text.Length > 4000 ? text[^4000..] : text;
            }
        }
    }

    /// <summary>Starts Node-RED; every line it prints is also appended to <paramref name="outputFile"/> when given.</summary>
    public static NodeRedProcess Start(AnchorInstall install, string userDirectory, string flowFile, string? outputFile = null)
    {
        var info = new ProcessStartInfo(install.NodeExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = userDirectory,
        };
        foreach (var argument in new[] { install.NodeRedScript, "--settings", install.SettingsFile, "--userDir", userDirectory, flowFile })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["XDG_CONFIG_HOME"] = install.ConfigHome;
        info.Environment["NODE_RED_ANCHOR_LOG_LEVEL"] = "info";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var node = new NodeRedProcess(process, outputFile is null ? null : new StreamWriter(outputFile, append: true));
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {install.NodeExecutable}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>SIGTERM (Node-RED stops its flows and closes the OPC UA session), kill -9 after <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the OS reaps it
        }

        _process.Dispose();
        lock (_outputFileGate)
        {
            _outputFile?.Dispose();
            _outputFile = null;
        }
    }

    /// <summary>
    /// Parses "… ANCHOR received=123 errors=4 overflows=5" (the flow's "stats to log" function; "overflows=" is
    /// optional, 0 when absent); false for any other line.
    /// </summary>
    internal static bool TryParseCounters(string line, out long received, out long errors, out long overflows)
    {
        received = 0;
        errors = 0;
        overflows = 0;
        var at = line.IndexOf(CounterPrefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        var rest = line.AsSpan(at + CounterPrefix.Length);
        var space = rest.IndexOf(' ');
        if (space < 0 || !long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out received))
        {
            return false;
        }

        rest = rest[(space + 1)..];
        if (!rest.StartsWith("errors="))
        {
            return false;
        }

        rest = rest["errors=".Length..].Trim();
        space = rest.IndexOf(' ');
        if (space < 0)
        {
            return long.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out errors);
        }

        var after = rest[(space + 1)..];
        return long.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out errors)
            && after.StartsWith("overflows=")
            && long.TryParse(after["overflows=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out overflows);
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputFileGate)
        {
            _outputFile?.WriteLine(line);
        }

        if (TryParseCounters(line, out var received, out var errors, out var overflows))
        {
            Interlocked.Exchange(ref _received, received);
            Interlocked.Exchange(ref _errors, errors);
            Interlocked.Exchange(ref _overflows, overflows);
            return;
        }

        if (line.Contains(SubscribeSentMarker, StringComparison.Ordinal))
        {
            Interlocked.CompareExchange(ref _subscribeSentTimestamp, Stopwatch.GetTimestamp(), 0);
        }

        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > 64_000)
            {
                _output.Remove(0, 32_000);
            }
        }
    }
}
