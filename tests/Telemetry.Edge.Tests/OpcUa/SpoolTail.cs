using Telemetry.Core;
using Telemetry.Storage;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>Reads everything that became durable in a spool, for tests that check what a source wrote.</summary>
internal sealed class SpoolTail : IDisposable
{
    private readonly SpoolReader _reader;
    private readonly SampleBatch _batch = new();
    private readonly List<Sample> _samples = [];

    public SpoolTail(Spool spool)
    {
        _reader = spool.OpenReader();
    }

    public IReadOnlyList<Sample> Read()
    {
        while (_reader.TryRead(_batch, out _))
        {
            _samples.AddRange(_batch.Samples);
            _batch.Clear();
        }

        return _samples;
    }

    public IReadOnlyList<Sample> Of(string machine, string tag) =>
        Read().Where(s => s.Path.Machine == machine && s.Path.Tag == tag).ToList();

    public async Task WaitUntilAsync(Func<SpoolTail, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline)
            {
                var seen = string.Join(", ", Read().Select(s => $"{s.Path.Machine}/{s.Path.Tag}").Distinct());
                throw new TimeoutException($"{what}: not within {timeout} (seen: {seen})");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _batch.Dispose();
    }
}
