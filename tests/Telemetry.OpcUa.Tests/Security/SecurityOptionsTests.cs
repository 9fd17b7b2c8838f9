using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;

namespace Telemetry.OpcUa.Tests.Security;

public sealed class SecurityOptionsTests
{
    private static UaClientOptions Options => new() { EndpointUrl = "opc.tcp://127.0.0.1:4840" };

    [Fact]
    public void Validate_Defaults_AreNoneWithoutPki()
    {
        Options.Validate();

        Assert.Equal(MessageSecurityMode.None, Options.SecurityMode);
        Assert.Null(Options.SecurityPolicyUri);
        Assert.False(Options.AllowDeprecatedPolicies);
    }

    [Fact]
    public void Validate_SecuredWithoutPkiPath_NamesPkiPath()
    {
        var ex = Assert.Throws<ArgumentException>(() => (Options with { SecurityMode = MessageSecurityMode.SignAndEncrypt }).Validate());

        Assert.Equal("PkiPath", ex.ParamName);
    }

    [Fact]
    public void Validate_PolicyWithModeNone_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => (Options with { SecurityPolicyUri = SecurityPolicies.Basic256Sha256 }).Validate());

        Assert.Contains("Sign or SignAndEncrypt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DeprecatedPolicyNotAllowed_IsRefusedAndAllowedWhenEnabled()
    {
        var options = Options with { SecurityMode = MessageSecurityMode.Sign, SecurityPolicyUri = SecurityPolicies.Basic128Rsa15, PkiPath = "/tmp/pki" };

        var ex = Assert.Throws<OpcUaException>(options.Validate);
        Assert.Equal(Telemetry.OpcUa.Encoding.StatusCodes.BadSecurityPolicyRejected, ex.StatusCode.Code);

        (options with { AllowDeprecatedPolicies = true }).Validate();
    }

    [Fact]
    public void Validate_InvalidMode_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => (Options with { SecurityMode = MessageSecurityMode.Invalid }).Validate());
    }

    [Fact]
    public void Validate_UserCertificateWithoutKey_IsRefused()
    {
        using var withKey = ApplicationCertificateFactory.Create("urn:test:user", "user", []);
        using var publicOnly = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(withKey.RawData);

        Assert.Throws<ArgumentException>(() => (Options with { Identity = UserIdentity.FromCertificate(publicOnly) }).Validate());
    }
}
