using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Tests.Encoding;

/// <summary>Malformed and random input: only <see cref="OpcUaException"/>, never another exception or a huge allocation.</summary>
public sealed class MalformedInputTests
{
    private static readonly ReadFunc<object?>[] s_decoders =
    [
        (ref UaBinaryReader r) => r.ReadVariant(),
        (ref UaBinaryReader r) => r.ReadDataValue(),
        (ref UaBinaryReader r) => r.ReadDiagnosticInfo(),
        (ref UaBinaryReader r) => r.ReadExtensionObject(),
        (ref UaBinaryReader r) => r.ReadExpandedNodeId(),
        (ref UaBinaryReader r) => r.ReadNodeId(),
        (ref UaBinaryReader r) => r.ReadLocalizedText(),
        (ref UaBinaryReader r) => r.ReadString(),
    ];

    [Fact]
    public void ReadString_LengthBeyondLimit_ThrowsEncodingLimitsExceeded()
    {
        var bytes = Codec.Hex("00 00 00 7F");
        var ex = Assert.Throws<OpcUaException>(() => Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadString()));
        Assert.Equal(StatusCodes.BadEncodingLimitsExceeded, ex.StatusCode.Code);
    }

    [Fact]
    public void ReadVariant_ArrayLongerThanBytesLeft_ThrowsDecodingErrorBeforeAllocating()
    {
        var bytes = Codec.Hex("8B 00 00 01 00 00"); // Double[65536] with 1 byte left
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<OpcUaException>(() => Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadVariant()));
        Assert.Equal(StatusCodes.BadDecodingError, ex.StatusCode.Code);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64_000);
    }

    [Fact]
    public void ReadVariant_DeepNesting_ThrowsEncodingLimitsExceeded()
    {
        // Variant[1] of Variant[1] of … 200 deep.
        var bytes = new List<byte>();
        for (var i = 0; i < 200; i++)
        {
            bytes.AddRange(Codec.Hex("98 01 00 00 00"));
        }

        bytes.Add(0);
        var ex = Assert.Throws<OpcUaException>(() => Codec.Decode(bytes.ToArray(), (ref UaBinaryReader r) => r.ReadVariant()));
        Assert.Equal(StatusCodes.BadEncodingLimitsExceeded, ex.StatusCode.Code);
    }

    [Fact]
    public void ReadVariant_MatrixDimensionsMismatch_ThrowsDecodingError()
    {
        var bytes = Codec.Hex("C3 02 00 00 00 01 02 02 00 00 00 02 00 00 00 02 00 00 00");
        var ex = Assert.Throws<OpcUaException>(() => Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadVariant()));
        Assert.Equal(StatusCodes.BadDecodingError, ex.StatusCode.Code);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Decoders_SeededRandomBytes_ThrowOnlyOpcUaException(int seed)
    {
        var random = new Random(seed);
        var limits = UaLimits.Default with { MaxArrayLength = 10_000, MaxStringLength = 10_000, MaxByteStringLength = 10_000 };
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (bytes.Length > 0)
            {
                bytes[0] = (byte)(random.Next(0, 4) switch { 0 => random.Next(0, 26) | 0x80, 1 => random.Next(0, 26), _ => bytes[0] });
            }

            DecodeAll(bytes, limits);
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    public void Decoders_MutatedValidEncodings_ThrowOnlyOpcUaException(int seed)
    {
        var random = new Random(seed);
        var samples = new List<Variant>();
        foreach (Variant row in RoundTripTests.Scalars())
        {
            samples.Add(row);
        }

        samples.Add(Variant.FromArray(BuiltInType.Variant, new Variant[] { 1, "a", Variant.FromArray(BuiltInType.Byte, new byte[] { 1, 2, 3, 4 }, [2, 2]) }));
        foreach (var sample in samples)
        {
            var valid = Codec.Encode((ref UaBinaryWriter w) => w.WriteDataValue(new DataValue(sample, default, DateTime.UtcNow)));
            for (var i = 0; i < 2_000; i++)
            {
                var bytes = (byte[])valid.Clone();
                var flips = random.Next(1, 4);
                for (var f = 0; f < flips; f++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                DecodeAll(bytes.AsSpan(0, random.Next(bytes.Length + 1)).ToArray(), UaLimits.Default);
            }
        }
    }

    private static void DecodeAll(byte[] bytes, UaLimits limits)
    {
        foreach (var decode in s_decoders)
        {
            try
            {
                var reader = new UaBinaryReader(bytes, limits);
                decode(ref reader);
            }
            catch (OpcUaException ex)
            {
                Assert.True(ex.StatusCode.IsBad);
            }
        }
    }
}
