using System.Security.Cryptography;
using Telemetry.OpcUa.Security;

namespace Telemetry.OpcUa.Tests.Security;

public sealed class KeyDerivationTests
{
    private const string Nonce32A = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
    private const string Nonce32B = "202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F";

    [Fact]
    public void Derive_Tls12PrfVector_MatchesPublishedOutput()
    {
        // P_SHA256 is the TLS 1.2 P_hash: the IETF TLS WG vector (label "test label" is part of the seed there).
        var secret = Convert.FromHexString("9BBE436BA940F017B17652849A71DB35");
        var seed = System.Text.Encoding.ASCII.GetBytes("test label").Concat(Convert.FromHexString("A0BA9F936CDA311827A6F796FFD5198C")).ToArray();
        var output = new byte[100];

        PseudoRandomFunction.Derive(HashAlgorithmName.SHA256, secret, seed, output);

        Assert.Equal(
            "E3F229BA727BE17B8D122620557CD453C2AAB21D07C3D495329B52D4E61EDB5A6B301791E90D35C9C9A46B4E14BAF9AF0FA022F7077DEF17ABFD3797C0564BAB4FBC91666E9DEF9B97FCE34F796789BAA48082D122EE42C5A72E5A5110FFF70187347B66",
            Convert.ToHexString(output));
    }

    [Fact]
    public void Derive_Sha256NonceSizedInputs_MatchesOpenSsl()
    {
        var output = new byte[80];

        PseudoRandomFunction.Derive(HashAlgorithmName.SHA256, Convert.FromHexString(Nonce32A), Convert.FromHexString(Nonce32B), output);

        Assert.Equal(
            "B72593C43FEE5FAFA0256CD6BB904FF40C066A225DB95F66DD744E20858A2220DDF75067E3D76AC714C08E24EABD85FF425D7F5FB25E6E083B94B174E29DB89BC513E9172274D5ED54E52A3552901AE0",
            Convert.ToHexString(output));
    }

    [Fact]
    public void Derive_Sha1ForDeprecatedPolicies_MatchesOpenSsl()
    {
        var output = new byte[64];

        PseudoRandomFunction.Derive(HashAlgorithmName.SHA1, Convert.FromHexString(Nonce32A), Convert.FromHexString(Nonce32B), output);

        Assert.Equal(
            "DF59132C2AF6D230E4337732076A14561694BE12838CC00203D63C816653D75BA7C59CEAF7B96BBF2B9501FAE4833DDE8FE860B1299AE3704B19940EFB8104F9",
            Convert.ToHexString(output));
    }

    [Fact]
    public void Derive_Basic256Sha256_ClientKeysArePShaOfServerNonceAndClientNonce()
    {
        // Client keys = P_SHA256(secret = ServerNonce, seed = ClientNonce) split 32 | 32 | 16 (OPC 10000-6 §6.7.5).
        const string clientMaterial = "DD585DB0C102DD1A4C1ED4DD195606DEC3F7A1C789AFCA78F9479ED3A5D668AFCE49CB8F1C65A827F412C48E71C9F9CB3B5C2EE2FC2E4B3BD46D4098B5E45475A77832C6215B6E7AB85F2E668BE7AEFF";
        var clientNonce = Convert.FromHexString(Nonce32A);
        var serverNonce = Convert.FromHexString(Nonce32B);

        var (client, server) = SymmetricKeys.Derive(SecurityPolicy.Basic256Sha256, clientNonce, serverNonce);

        Assert.Equal(clientMaterial[..64], Convert.ToHexString(client.SigningKey));
        Assert.Equal(clientMaterial[64..128], Convert.ToHexString(client.EncryptingKey));
        Assert.Equal(clientMaterial[128..160], Convert.ToHexString(client.InitializationVector));
        // Server keys swap secret and seed: the first 80 bytes of P_SHA256(ClientNonce, ServerNonce).
        Assert.Equal("B72593C43FEE5FAFA0256CD6BB904FF40C066A225DB95F66DD744E20858A2220", Convert.ToHexString(server.SigningKey));
        Assert.Equal("DDF75067E3D76AC714C08E24EABD85FF425D7F5FB25E6E083B94B174E29DB89B", Convert.ToHexString(server.EncryptingKey));
        Assert.Equal("C513E9172274D5ED54E52A3552901AE0", Convert.ToHexString(server.InitializationVector));
    }

    [Theory]
    [InlineData(nameof(SecurityPolicy.Basic256Sha256), 32, 32)]
    [InlineData(nameof(SecurityPolicy.Aes128Sha256RsaOaep), 32, 16)]
    [InlineData(nameof(SecurityPolicy.Aes256Sha256RsaPss), 32, 32)]
    [InlineData(nameof(SecurityPolicy.Basic256), 24, 32)]
    [InlineData(nameof(SecurityPolicy.Basic128Rsa15), 16, 16)]
    public void Derive_EachPolicy_KeyLengthsFollowThePolicy(string name, int signingKeyLength, int encryptionKeyLength)
    {
        var policy = SecurityPolicyTests.ByName(name);
        var nonce = new byte[policy.NonceLength];

        var (client, server) = SymmetricKeys.Derive(policy, nonce, nonce);

        Assert.Equal(signingKeyLength, client.SigningKey.Length);
        Assert.Equal(encryptionKeyLength, client.EncryptingKey.Length);
        Assert.Equal(16, client.InitializationVector.Length);
        Assert.Equal(client.SigningKey, server.SigningKey); // same nonces: both directions derive the same bytes
    }
}
