using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Services;
using Telemetry.OpcUa.Tests.Fixtures;

namespace Telemetry.OpcUa.Tests.Integration;

[Collection(PlcCollection.Name)]
public sealed class SecureChannelTests(OpcUaPlcFixture fixture)
{
    [Fact]
    public async Task GetEndpoints_NoneChannel_ListsTheNoneEndpoint()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var channel = new UaSecureChannel(new SecureChannelOptions { EndpointUrl = fixture.Plc.EndpointUrl });
        await channel.OpenAsync(cts.Token);
        Assert.NotEqual(0u, channel.ChannelId);

        var response = await channel.SendRequestAsync<GetEndpointsResponse>(new GetEndpointsRequest { EndpointUrl = fixture.Plc.EndpointUrl }, cancellationToken: cts.Token);

        var endpoint = Assert.Single(response.Endpoints, e => e.SecurityMode == MessageSecurityMode.None);
        Assert.Equal(SecurityPolicies.None, endpoint.SecurityPolicyUri);
        Assert.Equal("urn:telemetry:opcua-plc", endpoint.Server.ApplicationUri);
        Assert.Contains(endpoint.UserIdentityTokens!, t => t.TokenType == UserTokenType.Anonymous);
        await channel.CloseAsync(cts.Token);
    }

    [Fact]
    public async Task FindServers_NoneChannel_ReturnsTheServer()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var channel = new UaSecureChannel(new SecureChannelOptions { EndpointUrl = fixture.Plc.EndpointUrl });
        await channel.OpenAsync(cts.Token);

        var response = await channel.SendRequestAsync<FindServersResponse>(new FindServersRequest { EndpointUrl = fixture.Plc.EndpointUrl }, cancellationToken: cts.Token);

        Assert.Contains(response.Servers, s => s.ApplicationUri == "urn:telemetry:opcua-plc");
    }

    [Fact]
    public async Task Renewal_ShortLifetime_RenewsTokenAndKeepsWorking()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var channel = new UaSecureChannel(new SecureChannelOptions { EndpointUrl = fixture.Plc.EndpointUrl, RequestedLifetime = TimeSpan.FromSeconds(2) });
        await channel.OpenAsync(cts.Token);
        var firstToken = channel.TokenId;

        while (channel.RenewCount < 2)
        {
            await Task.Delay(200, cts.Token);
        }

        Assert.NotEqual(firstToken, channel.TokenId);
        var response = await channel.SendRequestAsync<GetEndpointsResponse>(new GetEndpointsRequest { EndpointUrl = fixture.Plc.EndpointUrl }, cancellationToken: cts.Token);
        Assert.NotEmpty(response.Endpoints);
    }
}

[CollectionDefinition(Name)]
public sealed class PlcCollection : ICollectionFixture<OpcUaPlcFixture>
{
    public const string Name = "simulated PLC";
}
