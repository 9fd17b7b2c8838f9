using Telemetry.Core;

namespace Telemetry.Simulator.Tests;

public class PlantSimulatorTests
{
    private sealed class CountingSink : ISampleSink
    {
        public List<Sample> Samples { get; } = [];

        public ValueTask WriteAsync(SampleBatch batch, CancellationToken cancellationToken = default)
        {
            lock (Samples)
            {
                Samples.AddRange(batch.Samples.ToArray());
            }

            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task RunAsync_DemoPlant_WritesEveryTagOfThreeMachinesUntilCancelled()
    {
        var options = DemoPlant.Options() with { Interval = TimeSpan.FromMilliseconds(20) };
        var simulator = new PlantSimulator(options);
        var sink = new CountingSink();
        using var cts = new CancellationTokenSource();
        var run = simulator.RunAsync(sink, cts.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            lock (sink.Samples)
            {
                if (sink.Samples.Select(s => s.SourceTimeNs).Distinct().Count() >= 3)
                {
                    break;
                }
            }

            await Task.Delay(20);
        }

        await cts.CancelAsync();
        await run;
        lock (sink.Samples)
        {
            Assert.Equal(3, sink.Samples.Select(s => s.Path.Machine).Distinct().Count());
            Assert.True(sink.Samples.Select(s => s.SourceTimeNs).Distinct().Count() >= 3);
        }

        Assert.Equal(Telemetry.Core.SourceLinkState.Disconnected, simulator.GetHealth().State);
        Assert.True(simulator.GetHealth().SamplesReceived > 0);
    }

    [Fact]
    public void Constructor_UnknownProfile_ErrorNamesMachineAndKnownProfiles()
    {
        var options = DemoPlant.Options() with
        {
            Machines = [new SimulatedMachineSpec("lathe", new AssetPath("s", "", "", "lathe-1", "state"))],
        };
        var ex = Assert.Throws<ArgumentException>(() => new PlantSimulator(options));
        Assert.Contains("lathe-1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cnc-mill", ex.Message, StringComparison.Ordinal);
    }
}
