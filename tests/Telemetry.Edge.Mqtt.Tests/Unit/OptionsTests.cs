namespace Telemetry.Edge.Mqtt.Tests.Unit;

public sealed class OptionsTests
{
    private static MqttSourceOptions Valid() => new()
    {
        Name = "line1",
        Host = "broker.local",
        ClientId = "edge-1",
        Subscriptions = [new MqttSubscription("plant/#")],
        Rules = [new MqttMappingRule { Topic = "plant/{line}/{machine}/{tag}", Site = "s" }],
    };

    [Fact]
    public void Validate_Defaults_Pass() => Valid().Validate();

    public static TheoryData<Func<MqttSourceOptions, MqttSourceOptions>, string> Broken => new()
    {
        { o => o with { Port = 0 }, "Port 0" },
        { o => o with { Protocol = MqttProtocol.V311, SessionExpiry = TimeSpan.FromMinutes(1) }, "SessionExpiry is an MQTT 5 option" },
        { o => o with { Protocol = MqttProtocol.V311, Subscriptions = [new MqttSubscription("a/#", MqttQos.AtLeastOnce, "g")] }, "need MQTT 5" },
        { o => o with { CleanStart = false }, "needs SessionExpiry" },
        { o => o with { Password = "x" }, "needs a UserName" },
        { o => o with { Subscriptions = [new MqttSubscription("a/#/b")] }, "'#' must be a whole level and the last one" },
        { o => o with { Subscriptions = [new MqttSubscription("a/b+")] }, "'+' must be a whole level" },
        { o => o with { Rules = [new MqttMappingRule { Topic = "plant/{line}/{machine}", Site = "s" }] }, "the tag is neither" },
        { o => o with { Rules = [new MqttMappingRule { Topic = "plant/{cell}/{machine}/{tag}", Site = "s" }] }, "unknown placeholder '{cell}'" },
        { o => o with { Rules = [new MqttMappingRule { Topic = "plant/{machine}/{tag}", Site = "s", Machine = "m" }] }, "keep one" },
        { o => o with { Rules = [new MqttMappingRule { Topic = "plant/{machine}/{tag}", Site = "s", Json = new MqttJsonMapping() }] }, "need Format = Json" },
        { o => o with { Rules = [new MqttMappingRule { Topic = "spBv1.0/{machine}/#", Site = "s", Format = MqttPayloadFormat.SparkplugB }] }, "Sparkplug B rule" },
        { o => o with { Rules = [] }, "at least one mapping rule" },
        { o => o with { Tls = new MqttTlsOptions { CaFile = "/nonexistent/ca.pem" } }, "does not exist" },
        { o => o with { Tls = new MqttTlsOptions { PinnedCertificateSha256 = "abc" } }, "not a SHA-256" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Validate_Broken_ThrowsNamingTheProblem(Func<MqttSourceOptions, MqttSourceOptions> change, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => change(Valid()).Validate());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordHash_CreateAndVerify_RoundTripsAndRejectsWrongPassword()
    {
        var hash = MqttPasswordHash.Create("s3cret", 1000);
        Assert.True(MqttPasswordHash.Verify("s3cret", hash));
        Assert.False(MqttPasswordHash.Verify("secret", hash));
        var broker = new EmbeddedBrokerOptions { Users = [new EmbeddedBrokerUser("u", "plain")], Rules = Valid().Rules };
        Assert.Contains("never plain text", Assert.Throws<ArgumentException>(broker.Validate).Message, StringComparison.Ordinal);
    }
}
