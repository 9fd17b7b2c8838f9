using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Tests.Encoding;

/// <summary>Byte layouts from OPC 10000-6 §5.2 (its own examples where it has them).</summary>
public sealed class GoldenVectorTests
{
    public static TheoryData<string, string> NodeIds => new()
    {
        { "i=72", "00 48" },                                              // §5.2.2.9 two-byte example
        { "ns=5;i=1025", "01 05 01 04" },                                 // §5.2.2.9 four-byte example
        { "ns=1;s=Hot水", "03 01 00 06 00 00 00 48 6F 74 E6 B0 B4" },     // §5.2.2.9 string example
        { "ns=300;i=70000", "02 2C 01 70 11 01 00" },
        { "ns=2;g=72962b91-fa75-4ae6-8d28-b404dc7daf63", "04 02 00 91 2B 96 72 75 FA E6 4A 8D 28 B4 04 DC 7D AF 63" },
        { "ns=3;b=AQID", "05 03 00 03 00 00 00 01 02 03" },
    };

    [Theory]
    [MemberData(nameof(NodeIds))]
    public void WriteNodeId_SpecExample_MatchesGoldenBytes(string text, string hex)
    {
        var nodeId = NodeId.Parse(text);
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteNodeId(nodeId));
        Assert.Equal(Codec.Hex(hex), bytes);
        Assert.Equal(nodeId, Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadNodeId()));
        Assert.Equal(text, nodeId.ToString());
    }

    [Fact]
    public void WriteString_Unicode_IsLengthPrefixedUtf8()
    {
        // §5.2.2.4 example: "水Boy" → 06 00 00 00 E6 B0 B4 42 6F 79
        Assert.Equal(Codec.Hex("06 00 00 00 E6 B0 B4 42 6F 79"), Codec.Encode((ref UaBinaryWriter w) => w.WriteString("水Boy")));
        Assert.Equal(Codec.Hex("FF FF FF FF"), Codec.Encode((ref UaBinaryWriter w) => w.WriteString(null)));
    }

    [Fact]
    public void WriteGuid_SpecExample_MatchesGoldenBytes()
    {
        // §5.2.2.6 example: {72962B91-FA75-4AE6-8D28-B404DC7DAF63}
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteGuid(Guid.Parse("72962B91-FA75-4AE6-8D28-B404DC7DAF63")));
        Assert.Equal(Codec.Hex("91 2B 96 72 75 FA E6 4A 8D 28 B4 04 DC 7D AF 63"), bytes);
    }

    [Fact]
    public void WriteExpandedNodeId_WithUriAndServer_SetsBothFlags()
    {
        var id = new ExpandedNodeId(new NodeId(5), "urn:a", 2);
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteExpandedNodeId(id));
        Assert.Equal(Codec.Hex("C0 05 05 00 00 00 75 72 6E 3A 61 02 00 00 00"), bytes);
        Assert.Equal(id, Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadExpandedNodeId()));
    }

    [Fact]
    public void WriteVariant_Int32Array_MatchesGoldenBytes()
    {
        var variant = Variant.FromArray(BuiltInType.Int32, new[] { 1, 2 });
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteVariant(variant));
        Assert.Equal(Codec.Hex("86 02 00 00 00 01 00 00 00 02 00 00 00"), bytes);
    }

    [Fact]
    public void WriteVariant_Matrix_WritesDimensionsAfterValues()
    {
        var variant = Variant.FromArray(BuiltInType.Byte, new byte[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteVariant(variant));
        Assert.Equal(Codec.Hex("C3 06 00 00 00 01 02 03 04 05 06 02 00 00 00 02 00 00 00 03 00 00 00"), bytes);
        Assert.Equal(variant, Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadVariant()));
    }

    [Fact]
    public void WriteDataValue_DoubleWithSourceTimestamp_MatchesGoldenBytes()
    {
        var time = new DateTime(1601, 1, 1, 0, 0, 1, DateTimeKind.Utc); // 10,000,000 ticks after the UA epoch
        var value = new DataValue(2.5, StatusCode.Good, time);
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteDataValue(value));
        Assert.Equal(Codec.Hex("05 0B 00 00 00 00 00 00 04 40 80 96 98 00 00 00 00 00"), bytes);
        Assert.Equal(value, Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadDataValue()));
    }

    [Fact]
    public void WriteLocalizedText_LocaleAndText_SetsMask()
    {
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteLocalizedText(new LocalizedText("en", "A")));
        Assert.Equal(Codec.Hex("03 02 00 00 00 65 6E 01 00 00 00 41"), bytes);
    }

    [Fact]
    public void WriteDiagnosticInfo_LocaleBeforeLocalizedText_FollowsSpecOrder()
    {
        var info = new DiagnosticInfo { SymbolicId = 1, Locale = 2, LocalizedText = 3, InnerStatusCode = new StatusCode(StatusCodes.BadTimeout) };
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteDiagnosticInfo(info));
        Assert.Equal(Codec.Hex("2D 01 00 00 00 02 00 00 00 03 00 00 00 00 00 0A 80"), bytes);
        Assert.Equal(info, Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadDiagnosticInfo()));
    }

    [Fact]
    public void WriteExtensionObject_BinaryBody_IsLengthPrefixed()
    {
        var eo = new ExtensionObject(new NodeId(321), ExtensionObjectEncoding.Binary, new byte[] { 0xAA, 0xBB });
        var bytes = Codec.Encode((ref UaBinaryWriter w) => w.WriteExtensionObject(eo));
        Assert.Equal(Codec.Hex("01 00 41 01 01 02 00 00 00 AA BB"), bytes);
    }

    [Theory]
    [InlineData(0L, "0001-01-01T00:00:00")]
    [InlineData(long.MaxValue, "9999-12-31T23:59:59.9999999")]
    [InlineData(-5L, "0001-01-01T00:00:00")]
    public void ReadDateTime_Extremes_ClampToDotNetRange(long ticks, string expected)
    {
        var bytes = BitConverter.GetBytes(ticks);
        var value = Codec.Decode(bytes, (ref UaBinaryReader r) => r.ReadDateTime());
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Fact]
    public void StatusCode_Name_ComesFromOfficialTable()
    {
        Assert.Equal("BadDecodingError", new StatusCode(StatusCodes.BadDecodingError).Name);
        Assert.Equal("GoodMoreData", new StatusCode(StatusCodes.GoodMoreData).Name);
        Assert.True(StatusCodeTable.Count > 250);
        Assert.Contains("invalid data", new StatusCode(StatusCodes.BadDecodingError).Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpandedNodeIdParse_UriWithSemicolon_SplitsAtIdentifier()
    {
        var id = ExpandedNodeId.Parse("nsu=urn:plc;x=1;s=Press.Force");
        Assert.Equal("urn:plc;x=1", id.NamespaceUri);
        Assert.Equal("Press.Force", id.NodeId.StringIdentifier);
        Assert.Equal("nsu=urn:plc;x=1;s=Press.Force", id.ToString());
    }
}
