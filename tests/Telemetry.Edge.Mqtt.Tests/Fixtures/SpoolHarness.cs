using Telemetry.Core;
using Telemetry.Storage;
using Telemetry.Testing;

namespace Telemetry.Edge.Mqtt.Tests.Fixtures;

/// <summary>A real spool in a temp folder, and a way to read back everything durable in it.</summary>
internal sealed class SpoolHarness : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private readonly List<Sample> _all = [];
    private SpoolReader? _reader;

    private SpoolHarness(TempDirectory dir, Spool spool)
    {
        _dir = dir;
        Spool = spool;
    }

    public Spool Spool { get; private set; }

    public string Directory => _dir.Path;

    public static async Task<SpoolHarness> OpenAsync()
    {
        var dir = new TempDirectory("mqtt-spool");
        var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        return new SpoolHarness(dir, spool);
    }

    public async Task ReopenAsync()
    {
        _reader?.Dispose();
        _reader = null;
        _all.Clear();
        await Spool.DisposeAsync();
        Spool = await Spool.OpenAsync(new SpoolOptions(_dir.Path));
    }

    public List<Sample> ReadAll()
    {
        // The spool has one reader (the forwarder's): keep it and collect what it returned so far.
        _reader ??= Spool.OpenReader();
        using var batch = new SampleBatch(8192);
        while (_reader.TryRead(batch, out _))
        {
            foreach (var s in batch.Samples)
            {
                _all.Add(s);
            }

            batch.Clear();
        }

        return [.. _all];
    }

    /// <summary>Polls until <paramref name="done"/> holds for the durable samples, or fails after the timeout.</summary>
    public async Task<List<Sample>> WaitForAsync(Func<List<Sample>, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var all = ReadAll();
            if (done(all))
            {
                return all;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout} for {what}; the spool has {all.Count} samples.");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        await Spool.DisposeAsync();
        _dir.Dispose();
    }
}
