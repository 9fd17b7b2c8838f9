using System.Security.Cryptography;
using Telemetry.OpcUa.Security;

namespace Telemetry.OpcUa.Tests.Security;

public sealed class SymmetricCryptoTests
{
    private const string NistPlaintext = "6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51";
    private static readonly byte[] NistIv = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");

    [Fact]
    public void Sign_Rfc4231Case2_MatchesPublishedHmac()
    {
        var signature = new byte[32];

        SymmetricCrypto.Sign(SecurityPolicy.Basic256Sha256, "Jefe"u8, "what do ya want for nothing?"u8, signature);

        Assert.Equal("5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843", Convert.ToHexString(signature));
    }

    [Fact]
    public void Verify_OneFlippedBit_ReturnsFalse()
    {
        var data = "a signed chunk"u8.ToArray();
        var signature = new byte[32];
        SymmetricCrypto.Sign(SecurityPolicy.Basic256Sha256, "key"u8, data, signature);
        Assert.True(SymmetricCrypto.Verify(SecurityPolicy.Basic256Sha256, "key"u8, data, signature));

        data[3] ^= 0x10;

        Assert.False(SymmetricCrypto.Verify(SecurityPolicy.Basic256Sha256, "key"u8, data, signature));
    }

    [Fact]
    public void Sign_KeysRfc4231Case2_MatchesPublishedHmacEveryTime()
    {
        // The keys' long-lived HMAC must reset after each signature: the second and third give the same value.
        using var keys = new SymmetricKeys("Jefe"u8.ToArray(), new byte[32], new byte[16]);
        for (var i = 0; i < 3; i++)
        {
            var signature = new byte[32];

            SymmetricCrypto.Sign(SecurityPolicy.Basic256Sha256, keys, "what do ya want for nothing?"u8, signature);

            Assert.Equal("5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843", Convert.ToHexString(signature));
        }
    }

    [Fact]
    public void Sign_Sha1KeysRfc2202Case2_MatchesPublishedHmac()
    {
        using var keys = new SymmetricKeys("Jefe"u8.ToArray(), new byte[32], new byte[16], HashAlgorithmName.SHA1);
        var signature = new byte[20];

        SymmetricCrypto.Sign(SecurityPolicy.Basic256, keys, "what do ya want for nothing?"u8, signature);

        Assert.Equal("EFFCDF6AE5EB2FA2D27416D5F184DF9C259A7C79", Convert.ToHexString(signature));
    }

    [Fact]
    public void Verify_KeysOneFlippedBitOrShortSignature_ReturnsFalse()
    {
        using var keys = new SymmetricKeys("key"u8.ToArray(), new byte[32], new byte[16]);
        var data = RandomNumberGenerator.GetBytes(8192);
        var signature = new byte[32];
        SymmetricCrypto.Sign(SecurityPolicy.Basic256Sha256, keys, data, signature);
        Assert.True(SymmetricCrypto.Verify(SecurityPolicy.Basic256Sha256, keys, data, signature));
        Assert.False(SymmetricCrypto.Verify(SecurityPolicy.Basic256Sha256, keys, data, signature.AsSpan(0, 31)));

        data[4000] ^= 0x01;

        Assert.False(SymmetricCrypto.Verify(SecurityPolicy.Basic256Sha256, keys, data, signature));
        data[4000] ^= 0x01;
        Assert.True(SymmetricCrypto.Verify(SecurityPolicy.Basic256Sha256, keys, data, signature)); // a failed check leaves the HMAC reset
    }

    [Fact]
    public void Sign_KeysMatchStaticHmacOfSigningKey()
    {
        using var keys = new SymmetricKeys(RandomNumberGenerator.GetBytes(32), new byte[32], new byte[16]);
        var data = RandomNumberGenerator.GetBytes(1000);
        var expected = new byte[32];
        var signature = new byte[32];
        SymmetricCrypto.Sign(SecurityPolicy.Basic256Sha256, keys.SigningKey, data, expected);

        SymmetricCrypto.Sign(SecurityPolicy.Basic256Sha256, keys, data, signature);

        Assert.Equal(expected, signature);
    }

    [Fact]
    public void Encrypt_Aes128CbcNistVector_MatchesSp80038a()
    {
        using var keys = new SymmetricKeys(new byte[32], Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"), NistIv);
        var data = Convert.FromHexString(NistPlaintext);

        SymmetricCrypto.Encrypt(keys, data);

        Assert.Equal("7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B2", Convert.ToHexString(data));
    }

    [Fact]
    public void Encrypt_Aes256CbcNistVector_MatchesSp80038aAndDecryptsBack()
    {
        using var keys = new SymmetricKeys(new byte[32], Convert.FromHexString("603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4"), NistIv);
        var data = Convert.FromHexString(NistPlaintext);

        SymmetricCrypto.Encrypt(keys, data);
        Assert.Equal("F58C4C04D6E5F1BA779EABFB5F7BFBD69CFC4E967EDB808D679F777BC6702C7D", Convert.ToHexString(data));

        Assert.True(SymmetricCrypto.TryDecrypt(keys, data));
        Assert.Equal(NistPlaintext, Convert.ToHexString(data));
    }

    [Fact]
    public void Encrypt_SecondAndThirdMessage_EachStartsFromTheTokenIv()
    {
        // OPC UA encrypts every message of a token with the same IV: the long-lived transform must not chain across messages.
        using var keys = new SymmetricKeys(new byte[32], Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"), NistIv);
        using var receiver = new SymmetricKeys(new byte[32], Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"), NistIv);
        for (var i = 0; i < 3; i++)
        {
            var data = Convert.FromHexString(NistPlaintext);
            SymmetricCrypto.Encrypt(keys, data);
            Assert.Equal("7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B2", Convert.ToHexString(data));
            Assert.True(SymmetricCrypto.TryDecrypt(receiver, data));
            Assert.Equal(NistPlaintext, Convert.ToHexString(data));
        }
    }

    [Fact]
    public void TryDecryptInPlace_SegmentAtAnOffset_MatchesSp80038aEveryMessageAndLeavesTheRestAlone()
    {
        // The receive loop decrypts a chunk where it lies in a pooled array: each message from the token's IV.
        using var keys = new SymmetricKeys(new byte[32], Convert.FromHexString("603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4"), NistIv);
        var buffer = new byte[8 + 32 + 8];
        for (var i = 0; i < 3; i++)
        {
            buffer.AsSpan().Fill(0xEE);
            Convert.FromHexString("F58C4C04D6E5F1BA779EABFB5F7BFBD69CFC4E967EDB808D679F777BC6702C7D").CopyTo(buffer, 8);

            Assert.True(SymmetricCrypto.TryDecryptInPlace(keys, new ArraySegment<byte>(buffer, 8, 32)));

            Assert.Equal(NistPlaintext, Convert.ToHexString(buffer, 8, 32));
            Assert.Equal(-1, buffer.AsSpan(0, 8).IndexOfAnyExcept((byte)0xEE));
            Assert.Equal(-1, buffer.AsSpan(40).IndexOfAnyExcept((byte)0xEE));
        }
    }

    [Fact]
    public void TryDecryptInPlace_NotWholeBlocks_ReturnsFalse()
    {
        using var keys = new SymmetricKeys(new byte[32], new byte[16], new byte[16]);

        Assert.False(SymmetricCrypto.TryDecryptInPlace(keys, new ArraySegment<byte>(new byte[40], 3, 17)));
        Assert.True(SymmetricCrypto.TryDecryptInPlace(keys, new ArraySegment<byte>(new byte[40], 3, 0)));
    }

    [Fact]
    public void TryDecrypt_NotWholeBlocks_ReturnsFalse()
    {
        using var keys = new SymmetricKeys(new byte[32], new byte[16], new byte[16]);

        Assert.False(SymmetricCrypto.TryDecrypt(keys, new byte[17]));
    }

    [Theory]
    [InlineData(0, 32, 16, false, 15)]   // 0 + 1 + 32 = 33 -> 48
    [InlineData(14, 32, 16, false, 1)]   // 14 + 1 + 32 = 47 -> 48
    [InlineData(15, 32, 16, false, 0)]   // 15 + 1 + 32 = 48
    [InlineData(100, 256, 214, true, 70)] // 100 + 2 + 256 = 358 -> 428 (two OAEP-SHA1 blocks of a 2048-bit key)
    public void Count_FillsWholeBlocks(int dataLength, int signature, int block, bool extra, int expected)
    {
        var count = MessagePadding.Count(dataLength, signature, block, extra);

        Assert.Equal(expected, count);
        Assert.Equal(0, (dataLength + MessagePadding.Length(count, extra) + signature) % block);
    }

    [Fact]
    public void Write_ThenRead_RoundTripsWithoutExtraByte()
    {
        var buffer = new byte[20];
        MessagePadding.Write(buffer.AsSpan(4), 5, extraPadding: false);

        Assert.Equal(new byte[] { 5, 5, 5, 5, 5, 5 }, buffer[4..10]);
        Assert.Equal(6, MessagePadding.Read(buffer.AsSpan(0, 10), extraPadding: false));
    }

    [Fact]
    public void Write_ThenRead_ExtraPaddingSizeHoldsHighByte()
    {
        // A 4096-bit key: 300 padding bytes = 0x012C -> PaddingSize 0x2C, 300 x 0x2C, ExtraPaddingSize 0x01.
        var buffer = new byte[310];
        MessagePadding.Write(buffer, 300, extraPadding: true);

        Assert.Equal(0x2C, buffer[0]);
        Assert.Equal(0x2C, buffer[300]);
        Assert.Equal(0x01, buffer[301]);
        Assert.Equal(302, MessagePadding.Read(buffer.AsSpan(0, 302), extraPadding: true));
    }

    [Fact]
    public void Read_WrongPaddingByte_ReturnsMinusOne()
    {
        var buffer = new byte[8];
        MessagePadding.Write(buffer.AsSpan(2), 3, extraPadding: false);
        buffer[3] = 9;

        Assert.Equal(-1, MessagePadding.Read(buffer.AsSpan(0, 6), extraPadding: false));
    }

    [Fact]
    public void Read_CountLongerThanData_ReturnsMinusOne()
    {
        Assert.Equal(-1, MessagePadding.Read(new byte[] { 1, 2, 200 }, extraPadding: false));
    }
}
