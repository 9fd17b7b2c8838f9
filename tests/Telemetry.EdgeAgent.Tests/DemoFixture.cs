using Telemetry.EdgeAgent.Tests.Fixtures;

namespace Telemetry.EdgeAgent.Tests;

/// <summary>One `telemetry-edge demo` process shared by the demo tests.</summary>
public sealed class DemoFixture : IAsyncLifetime
{
    private EdgeAgentProcess? _agent;

    public EdgeAgentProcess Agent => _agent ?? throw new InvalidOperationException("The demo did not start.");

    public async Task InitializeAsync() => _agent = await EdgeAgentProcess.StartDemoAsync();

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DemoCollection : ICollectionFixture<DemoFixture>
{
    public const string Name = "demo";
}
