using System.Security.Cryptography;
using Telemetry.OpcUa.Security;

namespace Telemetry.OpcUa.Tests.Security;

public sealed class AsymmetricCryptoTests
{
    private static RSA Key()
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(SecurityTestVectors.RsaKeyPem);
        return rsa;
    }

    private static byte[] Message => System.Text.Encoding.ASCII.GetBytes(SecurityTestVectors.Message);

    [Theory]
    [InlineData(nameof(SecurityPolicy.Basic256Sha256), 256, 214)]
    [InlineData(nameof(SecurityPolicy.Aes128Sha256RsaOaep), 256, 214)]
    [InlineData(nameof(SecurityPolicy.Aes256Sha256RsaPss), 256, 190)]
    [InlineData(nameof(SecurityPolicy.Basic128Rsa15), 256, 245)]
    [InlineData(nameof(SecurityPolicy.Basic256Sha256), 512, 470)]
    public void PlainBlockSize_PolicyAndKey_SubtractsPaddingOverhead(string name, int keyBytes, int expected)
    {
        Assert.Equal(expected, AsymmetricCrypto.PlainBlockSize(SecurityPolicyTests.ByName(name), keyBytes));
    }

    [Fact]
    public void Sign_Pkcs1Sha256_MatchesOpenSslSignature()
    {
        using var key = Key();

        var signature = AsymmetricCrypto.Sign(SecurityPolicy.Basic256Sha256, key, Message);

        Assert.Equal(SecurityTestVectors.Pkcs1Sha256Signature, Convert.ToHexString(signature), ignoreCase: true);
    }

    [Fact]
    public void Verify_PssSha256OpenSslSignature_ReturnsTrue()
    {
        using var key = Key();
        var signature = Convert.FromHexString(SecurityTestVectors.PssSha256Signature);

        Assert.True(AsymmetricCrypto.Verify(SecurityPolicy.Aes256Sha256RsaPss, key, Message, signature));
        Assert.False(AsymmetricCrypto.Verify(SecurityPolicy.Basic256Sha256, key, Message, signature)); // not PKCS#1 v1.5
    }

    [Fact]
    public void Verify_PssSignatureOfOtherData_ReturnsFalse()
    {
        using var key = Key();
        var signature = AsymmetricCrypto.Sign(SecurityPolicy.Aes256Sha256RsaPss, key, Message);
        var data = Message;
        data[0] ^= 1;

        Assert.False(AsymmetricCrypto.Verify(SecurityPolicy.Aes256Sha256RsaPss, key, data, signature));
    }

    [Theory]
    [InlineData(nameof(SecurityPolicy.Basic256Sha256), SecurityTestVectors.OaepSha1Ciphertext)]
    [InlineData(nameof(SecurityPolicy.Aes256Sha256RsaPss), SecurityTestVectors.OaepSha256Ciphertext)]
    public void TryDecrypt_OpenSslOaepCiphertext_ReturnsMessage(string name, string ciphertext)
    {
        using var key = Key();
        var plain = new byte[256];

        var written = AsymmetricCrypto.TryDecrypt(SecurityPolicyTests.ByName(name), key, Convert.FromHexString(ciphertext), plain);

        Assert.Equal(SecurityTestVectors.Message, System.Text.Encoding.ASCII.GetString(plain, 0, written));
    }

    [Fact]
    public void TryDecrypt_WrongOaepHash_ReturnsMinusOne()
    {
        using var key = Key();

        var written = AsymmetricCrypto.TryDecrypt(SecurityPolicy.Aes256Sha256RsaPss, key, Convert.FromHexString(SecurityTestVectors.OaepSha1Ciphertext), new byte[256]);

        Assert.Equal(-1, written);
    }

    [Theory]
    [InlineData(nameof(SecurityPolicy.Basic256Sha256))]
    [InlineData(nameof(SecurityPolicy.Aes128Sha256RsaOaep))]
    [InlineData(nameof(SecurityPolicy.Aes256Sha256RsaPss))]
    [InlineData(nameof(SecurityPolicy.Basic128Rsa15))]
    public void Encrypt_ThreeBlocks_DecryptsBack(string name)
    {
        var policy = SecurityPolicyTests.ByName(name);
        using var key = Key();
        var plain = RandomNumberGenerator.GetBytes((AsymmetricCrypto.PlainBlockSize(policy, 256) * 2) + 7);
        var cipher = new byte[AsymmetricCrypto.EncryptedLength(policy, 256, plain.Length)];

        Assert.Equal(3 * 256, AsymmetricCrypto.Encrypt(policy, key, plain, cipher));
        var back = new byte[cipher.Length];
        var written = AsymmetricCrypto.TryDecrypt(policy, key, cipher, back);

        Assert.Equal(plain, back[..written]);
    }
}
