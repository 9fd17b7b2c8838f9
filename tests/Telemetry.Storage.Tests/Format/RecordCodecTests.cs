using Telemetry.Storage.Format;

namespace Telemetry.Storage.Tests.Format;

public class RecordCodecTests
{
    [Fact]
    public void Crc32C_StandardCheckString_MatchesCheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(ReferenceCrc32C("123456789abcdefghijklmnopq"u8), Crc32C.Compute("123456789abcdefghijklmnopq"u8));
    }

    [Fact]
    public void WriteHeader_ThreeBytePayload_GoldenBytes()
    {
        var record = new byte[RecordCodec.HeaderSize + 3];
        "abc"u8.CopyTo(record.AsSpan(RecordCodec.HeaderSize));
        RecordCodec.WriteHeader(record, sequence: 0x0102030405);

        var covered = new byte[] { 0x05, 0x04, 0x03, 0x02, 0x01, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c', 3, 0, 0, 0 };
        var crc = ReferenceCrc32C(covered);
        byte[] expected =
        [
            0x03, 0x00, 0x00, 0x00, // payload length
            (byte)crc, (byte)(crc >> 8), (byte)(crc >> 16), (byte)(crc >> 24), // crc32c(sequence + payload + length)
            0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00, // sequence
            (byte)'a', (byte)'b', (byte)'c',
        ];
        Assert.Equal(expected, record);
    }

    [Fact]
    public void TryRead_WrittenRecord_RoundTrips()
    {
        var record = new byte[RecordCodec.HeaderSize + 100];
        new Random(1).NextBytes(record.AsSpan(RecordCodec.HeaderSize));
        RecordCodec.WriteHeader(record, 42);

        Assert.Equal(RecordReadStatus.Ok, RecordCodec.TryRead(record, out var header));
        Assert.Equal(new RecordHeader(100, header.Crc, 42), header);
        Assert.Equal(116, header.TotalLength);
    }

    [Fact]
    public void TryRead_EveryBitFlipped_IsCorrupt()
    {
        var record = new byte[RecordCodec.HeaderSize + 40];
        new Random(2).NextBytes(record.AsSpan(RecordCodec.HeaderSize));
        RecordCodec.WriteHeader(record, 7);
        for (var bit = 0; bit < record.Length * 8; bit++)
        {
            var damaged = (byte[])record.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            var status = RecordCodec.TryRead(damaged, out _);
            Assert.True(status != RecordReadStatus.Ok, $"bit {bit} not detected");
        }
    }

    [Fact]
    public void TryRead_EveryPrefix_IsIncompleteOrCorrupt()
    {
        var record = new byte[RecordCodec.HeaderSize + 20];
        RecordCodec.WriteHeader(record, 1);
        for (var length = 0; length < record.Length; length++)
        {
            Assert.Equal(RecordReadStatus.Incomplete, RecordCodec.TryRead(record.AsSpan(0, length), out _));
        }
    }

    [Fact]
    public void TryRead_LengthAboveLimit_IsCorrupt()
    {
        var record = new byte[RecordCodec.HeaderSize];
        RecordCodec.WriteHeader(record, 1);
        record[3] = 0x7F;
        Assert.Equal(RecordReadStatus.Corrupt, RecordCodec.TryRead(record, out _));
    }

    internal static uint ReferenceCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
