using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Telemetry.Edge.Configuration;

namespace Telemetry.Edge.Hosting;

/// <summary>
/// Reloads the configuration on SIGHUP (`systemctl reload telemetry-edge`) and when the file changes on disk.
/// A configuration that does not load or build is refused with its file:line error in the log, and the one in
/// force keeps running.
/// </summary>
public sealed partial class ConfigWatcher : IAsyncDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    private readonly string _path;
    private readonly EdgeRuntime _runtime;
    private readonly SourceBuilder _build;
    private readonly ILogger _logger;
    private readonly Func<string, string?>? _environment;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly FileSystemWatcher? _files;
    private readonly PosixSignalRegistration? _hangup;
    private readonly Task _loop;
    private byte[] _lastHash;
    private int _forced;

    public ConfigWatcher(string path, EdgeRuntime runtime, SourceBuilder build, ILogger logger, bool watchFile = true, Func<string, string?>? environment = null)
    {
        _path = Path.GetFullPath(path ?? throw new ArgumentNullException(nameof(path)));
        _runtime = runtime ?? throw new ArgumentNullException(nameof(runtime));
        _build = build ?? throw new ArgumentNullException(nameof(build));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _environment = environment;
        _lastHash = HashOf(_path);
        if (!OperatingSystem.IsWindows())
        {
            _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true; // do not terminate: reload
                Request();
            });
        }

        if (watchFile)
        {
            _files = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _files.Changed += (_, _) => _signal.Release();
            _files.Created += (_, _) => _signal.Release();
            _files.Renamed += (_, _) => _signal.Release();
            _files.EnableRaisingEvents = true;
        }

        _loop = LoopAsync(_stopping.Token);
    }

    /// <summary>Asks for a reload now (what SIGHUP does).</summary>
    public void Request()
    {
        Volatile.Write(ref _forced, 1);
        _signal.Release();
    }

    public async ValueTask DisposeAsync()
    {
        _hangup?.Dispose();
        _files?.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
        _signal.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);

                // Editors write in several steps: wait until the file settles, then take every queued signal at once.
                await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
                while (_signal.CurrentCount > 0)
                {
                    await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                await ReloadOnceAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReloadOnceAsync(CancellationToken cancellationToken)
    {
        var hash = HashOf(_path);
        var forced = Interlocked.Exchange(ref _forced, 0) == 1;
        if (!forced && hash.AsSpan().SequenceEqual(_lastHash))
        {
            return; // the file was touched, not changed
        }

        _lastHash = hash;
        try
        {
            var next = EdgeConfigLoader.LoadFile(_path, _environment);
            var report = await _runtime.ReloadAsync(next, _build, cancellationToken).ConfigureAwait(false);
            if (report.RestartNeeded.Count > 0)
            {
                LogRestartNeeded(string.Join(", ", report.RestartNeeded));
            }
        }
        catch (ConfigException ex)
        {
            _runtime.CountRefusedReload();
            LogRefused(ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _runtime.CountRefusedReload();
            LogFailed(ex);
        }
    }

    private static byte[] HashOf(string path)
    {
        try
        {
            return SHA256.HashData(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "New configuration refused; the previous one keeps running. {Problem}")]
    private partial void LogRefused(string problem);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Error, Message = "New configuration could not be applied; the previous one keeps running")]
    private partial void LogFailed(Exception exception);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "These settings changed but only take effect after a restart: {Keys}")]
    private partial void LogRestartNeeded(string keys);
}
