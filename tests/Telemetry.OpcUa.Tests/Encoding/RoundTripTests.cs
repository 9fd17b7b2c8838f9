using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Tests.Encoding;

public sealed class RoundTripTests
{
    public static TheoryData<Variant> Scalars()
    {
        var data = new TheoryData<Variant>
        {
            true, (sbyte)-5, (byte)250, (short)-30000, (ushort)60000, int.MinValue, uint.MaxValue, long.MinValue,
            ulong.MaxValue, 1.5f, double.Epsilon, "text ü", new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc),
            Guid.Parse("72962B91-FA75-4AE6-8D28-B404DC7DAF63"), new byte[] { 1, 2, 3 }, Variant.FromXmlElement("<a/>"),
            new NodeId("x", 3), new ExpandedNodeId(new NodeId(9), "urn:u", 1), new StatusCode(StatusCodes.BadTimeout),
            new QualifiedName(2, "Name"), new LocalizedText("de", "Ofen"),
            new ExtensionObject(new NodeId(5, 2), ExtensionObjectEncoding.Binary, new byte[] { 9 }),
            new DataValue(42, new StatusCode(StatusCodes.UncertainInitialValue)), new DiagnosticInfo { AdditionalInfo = "x" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Scalars))]
    public void ReadVariant_EveryScalarType_RoundTrips(Variant value)
    {
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteVariant(value));
        Assert.Equal(value, Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadVariant()));
    }

    [Theory]
    [MemberData(nameof(Scalars))]
    public void ReadVariant_ArrayOfEveryType_RoundTrips(Variant sample)
    {
        var type = sample.Type;
        var array = Array.CreateInstance(Variant.ElementTypeOf(type), 3);
        for (var i = 0; i < 3; i++)
        {
            array.SetValue(sample.Value, i);
        }

        var value = Variant.FromArray(type, array);
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteVariant(value));
        Assert.Equal(value, Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadVariant()));
    }

    [Fact]
    public void ReadVariant_VariantArrayAndNullArray_RoundTrip()
    {
        var nested = Variant.FromArray(BuiltInType.Variant, new Variant[] { 1, "a", Variant.FromArray(BuiltInType.Double, new[] { 1.0 }) });
        var nullArray = Variant.FromArray(BuiltInType.String, null);
        foreach (var value in new[] { nested, nullArray })
        {
            var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteVariant(value));
            Assert.Equal(value, Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadVariant()));
        }
    }

    [Fact]
    public void ReadVariant_NumericScalar_DoesNotAllocate()
    {
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteDataValue(new DataValue(3.25, default, DateTime.UtcNow)));
        var reader = new UaBinaryReader(bytes);
        _ = reader.ReadDataValue();
        var before = GC.GetAllocatedBytesForCurrentThread();
        double sum = 0;
        for (var i = 0; i < 1000; i++)
        {
            var r = new UaBinaryReader(bytes);
            sum += r.ReadDataValue().Value.AsDouble();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3250, sum);
    }
}
