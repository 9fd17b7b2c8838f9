using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.OpcUa.Tests.Security;

public sealed class SecurityPolicyTests
{
    internal static SecurityPolicy ByName(string name) => name switch
    {
        nameof(SecurityPolicy.Basic256Sha256) => SecurityPolicy.Basic256Sha256,
        nameof(SecurityPolicy.Aes128Sha256RsaOaep) => SecurityPolicy.Aes128Sha256RsaOaep,
        nameof(SecurityPolicy.Aes256Sha256RsaPss) => SecurityPolicy.Aes256Sha256RsaPss,
        nameof(SecurityPolicy.Basic256) => SecurityPolicy.Basic256,
        nameof(SecurityPolicy.Basic128Rsa15) => SecurityPolicy.Basic128Rsa15,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Fact]
    public void Descriptors_CurrentPolicies_MatchOpc10000Part7()
    {
        Assert.Equal(AsymmetricEncryption.RsaOaepSha1, SecurityPolicy.Basic256Sha256.Encryption);
        Assert.Equal(AsymmetricSignature.RsaPkcs15Sha256, SecurityPolicy.Basic256Sha256.Signature);
        Assert.Equal(32, SecurityPolicy.Basic256Sha256.EncryptionKeyLength);
        Assert.Equal(AsymmetricEncryption.RsaOaepSha1, SecurityPolicy.Aes128Sha256RsaOaep.Encryption);
        Assert.Equal(16, SecurityPolicy.Aes128Sha256RsaOaep.EncryptionKeyLength);
        Assert.Equal(AsymmetricEncryption.RsaOaepSha256, SecurityPolicy.Aes256Sha256RsaPss.Encryption);
        Assert.Equal(AsymmetricSignature.RsaPssSha256, SecurityPolicy.Aes256Sha256RsaPss.Signature);
        Assert.Equal("http://opcfoundation.org/UA/security/rsa-pss-sha2-256", SecurityPolicy.Aes256Sha256RsaPss.SignatureAlgorithmUri);
        Assert.Equal("http://www.w3.org/2001/04/xmlenc#rsa-oaep", SecurityPolicy.Basic256Sha256.EncryptionAlgorithmUri);
        foreach (var policy in new[] { SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128Sha256RsaOaep, SecurityPolicy.Aes256Sha256RsaPss })
        {
            Assert.Equal(32, policy.NonceLength);
            Assert.Equal(32, policy.SymmetricSignatureSize);
            Assert.Equal(2048, policy.MinAsymmetricKeyBits);
            Assert.False(policy.IsDeprecated);
        }
    }

    [Theory]
    [InlineData(SecurityPolicies.Basic128Rsa15)]
    [InlineData(SecurityPolicies.Basic256)]
    public void Get_DeprecatedPolicyNotEnabled_IsRefusedWithBadSecurityPolicyRejected(string uri)
    {
        var ex = Assert.Throws<OpcUaException>(() => SecurityPolicy.Get(uri, allowDeprecated: false));

        Assert.Equal(StatusCodes.BadSecurityPolicyRejected, ex.StatusCode.Code);
        Assert.Contains("deprecated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AllowDeprecatedPolicies", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_DeprecatedPolicyEnabled_ReturnsIt()
    {
        Assert.Same(SecurityPolicy.Basic256, SecurityPolicy.Get(SecurityPolicies.Basic256, allowDeprecated: true));
    }

    [Theory]
    [InlineData(SecurityPolicies.None)]
    [InlineData("http://opcfoundation.org/UA/SecurityPolicy#ECC_nistP256")]
    public void Get_UnsupportedPolicy_NamesIt(string uri)
    {
        var ex = Assert.Throws<OpcUaException>(() => SecurityPolicy.Get(uri, allowDeprecated: true));

        Assert.Contains(SecurityPolicies.ShortName(uri), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckKeySize_1024BitKeyForBasic256Sha256_IsRefused()
    {
        var ex = Assert.Throws<OpcUaException>(() => SecurityPolicy.Basic256Sha256.CheckKeySize(1024, "The server certificate"));

        Assert.Equal(StatusCodes.BadCertificatePolicyCheckFailed, ex.StatusCode.Code);
    }
}
