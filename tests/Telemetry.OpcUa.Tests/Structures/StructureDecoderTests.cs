using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Structures;
using Telemetry.OpcUa.Tests.Encoding;

namespace Telemetry.OpcUa.Tests.Structures;

public sealed class StructureDecoderTests
{
    private static readonly ExpandedNodeId NoId = new(new NodeId(1, 2), "urn:test");

    private static StructureType Type(string name, StructureKind kind, params StructureField[] fields) =>
        new(name, NoId, NoId, kind) { Fields = fields };

    private static StructureField Scalar(string name, BuiltInType type, bool optional = false) => new(name, FieldCodec.Of(type), -1, optional);

    private static readonly StructureType MachineState = Type("MachineState", StructureKind.Structure,
        Scalar("Name", BuiltInType.String),
        Scalar("Temperature", BuiltInType.Double),
        Scalar("Running", BuiltInType.Boolean),
        Scalar("PartCount", BuiltInType.UInt32),
        new StructureField("Alarms", FieldCodec.Of(BuiltInType.Int32), 1, false));

    private static byte[] MachineStateBody(ref UaBinaryWriter w)
    {
        w.WriteString("Press1");
        w.WriteDouble(81.5);
        w.WriteBoolean(true);
        w.WriteUInt32(1234);
        w.WriteInt32(2);
        w.WriteInt32(3);
        w.WriteInt32(7);
        return [];
    }

    [Fact]
    public void Decode_PlainStructure_NamedFieldsInOrder()
    {
        var body = Codec.Encode((ref UaBinaryWriter w) => MachineStateBody(ref w));

        var value = StructureDecoder.Decode(MachineState, body);

        Assert.Equal(["Name", "Temperature", "Running", "PartCount", "Alarms"], value.Fields.Select(f => f.Name));
        Assert.Equal("Press1", value["Name"]!.Value.Value);
        Assert.Equal(81.5, value["Temperature"]!.Value.Value);
        Assert.Equal(true, value["Running"]!.Value.Value);
        Assert.Equal(1234u, value["PartCount"]!.Value.Value);
        Assert.Equal(new[] { 3, 7 }, (int[])value["Alarms"]!.Value.ArrayValue!);
    }

    [Fact]
    public void Decode_OptionalFields_MaskSelectsPresentOnes()
    {
        var type = Type("Opt", StructureKind.StructureWithOptionalFields,
            Scalar("A", BuiltInType.Int16),
            Scalar("B", BuiltInType.Double, optional: true),
            Scalar("C", BuiltInType.String, optional: true),
            Scalar("D", BuiltInType.Byte));
        var body = Codec.Encode((ref UaBinaryWriter w) =>
        {
            w.WriteUInt32(0b10); // B absent, C present
            w.WriteInt16(-5);
            w.WriteString("c");
            w.WriteByte(9);
        });

        var value = StructureDecoder.Decode(type, body);

        Assert.Equal(["A", "C", "D"], value.Fields.Select(f => f.Name));
        Assert.Equal((short)-5, value["A"]!.Value.Value);
        Assert.Equal("c", value["C"]!.Value.Value);
    }

    [Fact]
    public void Decode_Union_OnlyTheChosenField()
    {
        var type = Type("U", StructureKind.Union, Scalar("Int", BuiltInType.Int32), Scalar("Text", BuiltInType.String));

        var chosen = StructureDecoder.Decode(type, Codec.Encode((ref UaBinaryWriter w) => { w.WriteUInt32(2); w.WriteString("x"); }));
        var none = StructureDecoder.Decode(type, Codec.Encode((ref UaBinaryWriter w) => w.WriteUInt32(0)));

        Assert.Equal("Text", Assert.Single(chosen.Fields).Name);
        Assert.Empty(none.Fields);
    }

    [Fact]
    public void Decode_NestedAndArrayOfNested_InLineAndFlattenedWithPaths()
    {
        var axis = Type("Axis", StructureKind.Structure, Scalar("Position", BuiltInType.Double), Scalar("Homed", BuiltInType.Boolean));
        var type = Type("Robot", StructureKind.Structure,
            new StructureField("Main", FieldCodec.Of(axis), -1, false),
            new StructureField("Axes", FieldCodec.Of(axis), 1, false),
            Scalar("Mode", BuiltInType.Int32));
        var body = Codec.Encode((ref UaBinaryWriter w) =>
        {
            w.WriteDouble(1.5);
            w.WriteBoolean(true);
            w.WriteInt32(2);
            w.WriteDouble(10);
            w.WriteBoolean(false);
            w.WriteDouble(20);
            w.WriteBoolean(true);
            w.WriteInt32(3);
        });

        var leaves = StructureDecoder.Decode(type, body).Flatten().ToDictionary(l => l.Key, l => l.Value.Value);

        Assert.Equal(
            ["Main.Position", "Main.Homed", "Axes[0].Position", "Axes[0].Homed", "Axes[1].Position", "Axes[1].Homed", "Mode"],
            leaves.Keys);
        Assert.Equal(1.5, leaves["Main.Position"]);
        Assert.Equal(20.0, leaves["Axes[1].Position"]);
        Assert.Equal(3, leaves["Mode"]);
    }

    [Fact]
    public void Decode_MatrixField_DimensionsThenElements()
    {
        var type = Type("M", StructureKind.Structure, new StructureField("Grid", FieldCodec.Of(BuiltInType.UInt16), 2, false));
        var body = Codec.Encode((ref UaBinaryWriter w) =>
        {
            w.WriteInt32(2);
            w.WriteInt32(2);
            w.WriteInt32(3);
            for (ushort i = 1; i <= 6; i++)
            {
                w.WriteUInt16(i);
            }
        });

        var grid = StructureDecoder.Decode(type, body)["Grid"]!.Value;

        Assert.Equal([2, 3], grid.ArrayDimensions!);
        Assert.Equal(6, grid.ArrayValue!.Length);
    }

    [Fact]
    public void Decode_BaseDataTypeField_ReadsAVariant()
    {
        var type = Type("V", StructureKind.Structure, Scalar("Any", BuiltInType.Variant));
        var body = Codec.Encode((ref UaBinaryWriter w) => w.WriteVariant(42.25));

        Assert.Equal(42.25, StructureDecoder.Decode(type, body)["Any"]!.Value.Value);
    }

    [Fact]
    public void Decode_TruncatedBody_DecodingError()
    {
        var body = Codec.Encode((ref UaBinaryWriter w) => MachineStateBody(ref w));

        var error = Assert.Throws<OpcUaException>(() => StructureDecoder.Decode(MachineState, body.AsSpan(0, body.Length - 3)));

        Assert.Equal(StatusCodes.BadDecodingError, error.StatusCode.Code);
    }

    [Fact]
    public void Decode_BytesLeftOver_DecodingErrorNamingTheType()
    {
        var body = Codec.Encode((ref UaBinaryWriter w) => { MachineStateBody(ref w); w.WriteInt32(99); });

        var error = Assert.Throws<OpcUaException>(() => StructureDecoder.Decode(MachineState, body));

        Assert.Contains("MachineState", error.Message, StringComparison.Ordinal);
        Assert.Contains("4 byte(s) left", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_UnionSwitchBeyondFields_DecodingError()
    {
        var type = Type("U", StructureKind.Union, Scalar("Int", BuiltInType.Int32));

        var error = Assert.Throws<OpcUaException>(() => StructureDecoder.Decode(type, Codec.Encode((ref UaBinaryWriter w) => w.WriteUInt32(5))));

        Assert.Contains("names no field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_HugeArrayLength_LimitBeforeAllocating()
    {
        var body = Codec.Encode((ref UaBinaryWriter w) =>
        {
            w.WriteString("x");
            w.WriteDouble(1);
            w.WriteBoolean(true);
            w.WriteUInt32(1);
            w.WriteInt32(int.MaxValue);
        });

        Assert.Throws<OpcUaException>(() => StructureDecoder.Decode(MachineState, body));
    }

    [Fact]
    public void Decode_NestingBeyondDepthLimit_LimitError()
    {
        var inner = Type("Leaf", StructureKind.Structure, Scalar("V", BuiltInType.Byte));
        for (var i = 0; i < 20; i++)
        {
            inner = Type($"Level{i}", StructureKind.Structure, new StructureField("Inner", FieldCodec.Of(inner), -1, false));
        }

        var error = Assert.Throws<OpcUaException>(() => StructureDecoder.Decode(inner, [7], new UaLimits { MaxNestingDepth = 8 }));

        Assert.Equal(StatusCodes.BadEncodingLimitsExceeded, error.StatusCode.Code);
    }

    [Fact]
    public void StructureDefinition_Decode_ReadsFieldsAndKind()
    {
        var body = Codec.Encode((ref UaBinaryWriter w) =>
        {
            w.WriteNodeId(new NodeId(5001, 1));
            w.WriteNodeId(new NodeId(UaNodeIds.Structure));
            w.WriteInt32(1);
            w.WriteInt32(2);
            foreach (var (name, type, rank, optional) in new[] { ("Name", 12u, -1, false), ("Alarms", 6u, 1, true) })
            {
                w.WriteString(name);
                w.WriteLocalizedText(default);
                w.WriteNodeId(new NodeId(type));
                w.WriteInt32(rank);
                w.WriteInt32(-1);
                w.WriteUInt32(0);
                w.WriteBoolean(optional);
            }
        });

        var definition = StructureDefinition.Decode(body);

        Assert.Equal(new NodeId(5001, 1), definition.DefaultEncodingId);
        Assert.Equal(StructureKind.StructureWithOptionalFields, definition.Kind);
        Assert.Equal(["Name", "Alarms"], definition.Fields.Select(f => f.Name));
        Assert.True(definition.Fields[1].IsOptional);
        Assert.Equal(1, definition.Fields[1].ValueRank);
    }
}
