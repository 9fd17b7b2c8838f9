using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Tests.Client;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Testing;

namespace Telemetry.OpcUa.Tests.Security;

/// <summary>One PLC with every policy x mode, shared by the tests of <see cref="SecureSessionTests"/>.</summary>
public sealed class SecurePlcFixture : IAsyncLifetime
{
    public OpcUaPlcPeer Plc { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        Plc = await SecurePlc.StartAsync(cts.Token);
    }

    public async Task DisposeAsync() => await Plc.DisposeAsync();
}

public sealed class SecureSessionTests(SecurePlcFixture fixture) : IClassFixture<SecurePlcFixture>
{
    public static TheoryData<string, MessageSecurityMode> PolicyModes()
    {
        var data = new TheoryData<string, MessageSecurityMode>();
        foreach (var policy in new[] { SecurityPolicies.Basic256Sha256, SecurityPolicies.Aes128Sha256RsaOaep, SecurityPolicies.Aes256Sha256RsaPss })
        {
            data.Add(policy, MessageSecurityMode.Sign);
            data.Add(policy, MessageSecurityMode.SignAndEncrypt);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PolicyModes))]
    public async Task ConnectAsync_PolicyAndMode_SubscribesAndReceivesData(string policy, MessageSecurityMode mode)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var pki = new TempDirectory("uasec-pki");
        var options = SecurePlc.Options(fixture.Plc, pki, mode, policy);
        await SecurePlc.TrustServerAsync(options, cts.Token);

        await using var session = await UaSession.ConnectAsync(options, cts.Token);
        Assert.Equal(policy, session.Endpoint!.SecurityPolicyUri);
        Assert.Equal(mode, session.Endpoint.SecurityMode);
        var handler = new CollectingHandler();
        var subscription = await session.CreateSubscriptionAsync(new SubscriptionOptions { PublishingInterval = TimeSpan.FromMilliseconds(100) }, handler, cts.Token);
        var items = await subscription.AddItemsAsync([new MonitoredItemOptions(SecurePlc.Counter) { SamplingInterval = TimeSpan.Zero, QueueSize = 100 }], cts.Token);
        Assert.True(items[0].Status.IsGood, items[0].Status.ToString());

        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Count >= 10, TimeSpan.FromSeconds(30), "10 counter steps");

        var (gaps, duplicates) = CollectingHandler.Check(handler.ValuesOf(items[0]));
        Assert.Equal((0, 0), (gaps, duplicates));
        await session.CloseAsync(cts.Token);
    }

    [Fact]
    public async Task ConnectAsync_NoPolicyConfigured_ChoosesTheMostSecure()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var pki = new TempDirectory("uasec-pki");
        var options = SecurePlc.Options(fixture.Plc, pki, MessageSecurityMode.SignAndEncrypt);
        await SecurePlc.TrustServerAsync(options, cts.Token);

        await using var session = await UaSession.ConnectAsync(options, cts.Token);

        Assert.Equal(SecurityPolicies.Aes256Sha256RsaPss, session.Endpoint!.SecurityPolicyUri);
        Assert.Equal(MessageSecurityMode.SignAndEncrypt, session.Endpoint.SecurityMode);
    }

    [Fact]
    public async Task ConnectAsync_UnknownServerCertificate_RefusedSavedToRejectedNamesTheTrustCommand()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var pki = new TempDirectory("uasec-pki");
        var options = SecurePlc.Options(fixture.Plc, pki, MessageSecurityMode.SignAndEncrypt, SecurityPolicies.Basic256Sha256);

        var ex = await Assert.ThrowsAsync<OpcUaException>(() => UaSession.ConnectAsync(options, cts.Token));

        Assert.Equal(StatusCodes.BadCertificateUntrusted, ex.StatusCode.Code);
        var store = new PkiStore(pki.Path);
        var rejected = Assert.Single(store.List(CertificateStoreKind.Rejected));
        Assert.Contains("urn:telemetry:opcua-plc", ex.Message, StringComparison.Ordinal);
        Assert.Contains(fixture.Plc.EndpointUrl, ex.Message, StringComparison.Ordinal);
        Assert.Contains(rejected.Thumbprint, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"telemetry-edge certs trust {rejected.Thumbprint}", ex.Message, StringComparison.Ordinal);
        Assert.Empty(store.List(CertificateStoreKind.Trusted));
        // Our own certificate was created on the way (the server will need to trust it in a real plant).
        Assert.Single(store.GetOwn());

        store.Trust(rejected.Thumbprint);
        await using var session = await UaSession.ConnectAsync(options, cts.Token);
        Assert.True((await session.ReadValueAsync(SecurePlc.Counter, cts.Token)).StatusCode.IsGood);
    }

    [Fact]
    public async Task ConnectAsync_ModeTheServerDoesNotOffer_NeverFallsBackToNone()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var pki = new TempDirectory("uasec-pki");
        var options = SecurePlc.Options(fixture.Plc, pki, MessageSecurityMode.SignAndEncrypt, SecurityPolicies.Basic256) with { AllowDeprecatedPolicies = true };

        var ex = await Assert.ThrowsAsync<OpcUaException>(() => UaSession.ConnectAsync(options, cts.Token));

        Assert.Equal(StatusCodes.BadSecurityModeRejected, ex.StatusCode.Code);
        Assert.Contains("Basic256 with SignAndEncrypt", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Basic256Sha256 SignAndEncrypt", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MessageSecurityMode.SignAndEncrypt)]
    [InlineData(MessageSecurityMode.Sign)]
    [InlineData(MessageSecurityMode.None)]
    public async Task ConnectAsync_UserNameAndPassword_ActivatesAndWrongPasswordIsRefused(MessageSecurityMode mode)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var pki = new TempDirectory("uasec-pki");
        var options = SecurePlc.Options(fixture.Plc, pki, mode, mode == MessageSecurityMode.None ? null : SecurityPolicies.Basic256Sha256);
        if (mode != MessageSecurityMode.None)
        {
            await SecurePlc.TrustServerAsync(options, cts.Token);
        }

        await using (var session = await UaSession.ConnectAsync(options with { Identity = UserIdentity.FromUserName("operator", "secret") }, cts.Token))
        {
            Assert.True((await session.ReadValueAsync(SecurePlc.Counter, cts.Token)).StatusCode.IsGood);
        }

        var ex = await Assert.ThrowsAsync<OpcUaException>(() => UaSession.ConnectAsync(options with { Identity = UserIdentity.FromUserName("operator", "wrong") }, cts.Token));
        Assert.True(ex.StatusCode.IsBad);
    }

    [Fact]
    public async Task ConnectAsync_X509UserCertificate_Activates()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var pki = new TempDirectory("uasec-pki");
        using var user = ApplicationCertificateFactory.Create("urn:test:user:alice", "alice", []);
        var options = SecurePlc.Options(fixture.Plc, pki, MessageSecurityMode.SignAndEncrypt, SecurityPolicies.Aes256Sha256RsaPss) with { Identity = UserIdentity.FromCertificate(user) };
        await SecurePlc.TrustServerAsync(options, cts.Token);

        await using var session = await UaSession.ConnectAsync(options, cts.Token);

        Assert.True((await session.ReadValueAsync(SecurePlc.Counter, cts.Token)).StatusCode.IsGood);
    }

    [Fact]
    public async Task Renewal_ShortTokenLifetimeWithSignAndEncrypt_SwitchesKeysWithoutReconnecting()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var pki = new TempDirectory("uasec-pki");
        var options = SecurePlc.Options(fixture.Plc, pki, MessageSecurityMode.SignAndEncrypt, SecurityPolicies.Aes128Sha256RsaOaep) with { ChannelLifetime = TimeSpan.FromSeconds(2) };
        await SecurePlc.TrustServerAsync(options, cts.Token);
        await using var session = await UaSession.ConnectAsync(options, cts.Token);

        // 2 s lifetime: renewed at 1.5 s, 3 s, 4.5 s; reads keep working on the new keys all the while.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < until)
        {
            Assert.True((await session.ReadValueAsync(SecurePlc.Counter, cts.Token)).StatusCode.IsGood);
            await Task.Delay(100, cts.Token);
        }

        Assert.Equal(0, session.ReconnectCount);
        Assert.Null(session.LastConnectionError);
    }
}

public sealed class TamperedMessageTests(SecurePlcFixture fixture) : IClassFixture<SecurePlcFixture>
{
    [Theory]
    [InlineData(MessageSecurityMode.SignAndEncrypt)]
    [InlineData(MessageSecurityMode.Sign)]
    public async Task Read_OneFlippedBitOnTheWire_RejectedWithBadSecurityChecksFailedAndChannelReestablished(MessageSecurityMode mode)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var pki = new TempDirectory("uasec-pki");
        await using var proxy = new TamperProxy(fixture.Plc.Port);
        var options = SecurePlc.Options(fixture.Plc, pki, mode, SecurityPolicies.Basic256Sha256) with
        {
            EndpointUrl = proxy.EndpointUrl,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
        };
        await SecurePlc.TrustServerAsync(options, cts.Token);
        await using var session = await UaSession.ConnectAsync(options, cts.Token);
        Assert.True((await session.ReadValueAsync(SecurePlc.Counter, cts.Token)).StatusCode.IsGood);

        proxy.ArmFlip();
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => session.ReadValueAsync(SecurePlc.Counter, cts.Token));

        Assert.Equal(1, proxy.Tampered);
        Assert.Equal(StatusCodes.BadSecurityChecksFailed, ex.StatusCode.Code);
        var error = Assert.IsType<OpcUaException>(session.LastConnectionError);
        Assert.Equal(StatusCodes.BadSecurityChecksFailed, error.StatusCode.Code);
        Assert.Contains("re-established", error.Message, StringComparison.Ordinal);
        while (session.ReconnectCount == 0)
        {
            await Task.Delay(50, cts.Token);
        }

        Assert.True((await session.ReadValueAsync(SecurePlc.Counter, cts.Token)).StatusCode.IsGood);
    }
}
