using Telemetry.Core;

namespace Telemetry.LineProtocol;

/// <summary>
/// The product's line protocol schema, shared by the forwarder (writes it), the ingest (reads it back with
/// <see cref="SampleLineDecoder"/>) and the dashboard (queries it). One sample is one line:
/// <code>
/// machine,area=A,line=L,machine=M,site=S TAG=VALUE[,TAG_quality=STATUSi] SOURCE_TIME_NS
/// </code>
/// <list type="bullet">
/// <item>measurement: configurable, default <c>machine</c>.</item>
/// <item>tags: <c>area</c>, <c>line</c>, <c>machine</c>, <c>site</c>, sorted by key; <c>area</c> and <c>line</c>
/// are left out when empty.</item>
/// <item>one value field named after <see cref="AssetPath.Tag"/>: Double → float (shortest round-trip form),
/// Int64 → integer <c>i</c>, Boolean → boolean, String → string. A Null value writes no value field.</item>
/// <item><c>TAG_quality</c> = the raw source status as an integer (<c>i</c>), written when the quality is not Good,
/// when a Good status carries information bits (e.g. OPC UA's Overflow 0x480: the PLC discarded older values of
/// this item), and always for a Null value (a line needs at least one field). Integer, not unsigned <c>u</c>: InfluxDB 1.6
/// refuses <c>u</c> ("invalid number", checked against the real server). When the status's OPC UA severity bits
/// disagree with the level (e.g. Bad with status 0) the level's canonical code is written (0x40000000 Uncertain,
/// 0x80000000 Bad), so the decoder's <see cref="Quality.FromOpcUaStatus"/> gives the level back.</item>
/// <item>timestamp: <see cref="Sample.SourceTimeNs"/>, written in the writer's precision (nanoseconds for this
/// schema); the receive time is not sent.</item>
/// </list>
/// Tag names ending in <c>_quality</c> are reserved (a Null sample of tag X and a value of a tag "X_quality"
/// would be the same line) and are refused.
/// </summary>
public sealed class SampleLineEncoder
{
    public const string DefaultMeasurement = "machine";
    public const string QualitySuffix = "_quality";

    private readonly char[] _fieldName = new char[256];

    public SampleLineEncoder(string measurement = DefaultMeasurement)
    {
        ArgumentException.ThrowIfNullOrEmpty(measurement);
        Measurement = measurement;
    }

    public string Measurement { get; }

    public void Write(LineProtocolWriter writer, ReadOnlySpan<Sample> samples)
    {
        foreach (ref readonly var sample in samples)
        {
            Write(writer, sample);
        }
    }

    public void Write(LineProtocolWriter writer, in Sample sample)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var path = sample.Path ?? throw new ArgumentException("The sample has no asset path.", nameof(sample));
        var tag = path.Tag;
        if (tag.EndsWith(QualitySuffix, StringComparison.Ordinal))
        {
            throw new LineProtocolException(LineProtocolError.SchemaMismatch,
                $"Tag '{path}' ends with the reserved suffix '{QualitySuffix}'; rename it in the source mapping.");
        }

        writer.WriteMeasurement(Measurement);
        if (path.Area.Length > 0)
        {
            writer.WriteTag("area", path.Area);
        }

        if (path.Line.Length > 0)
        {
            writer.WriteTag("line", path.Line);
        }

        writer.WriteTag("machine", path.Machine);
        writer.WriteTag("site", path.Site);

        var value = sample.Value;
        switch (value.Kind)
        {
            case SampleValueKind.Double:
                writer.WriteFloatField(tag, value.AsDouble());
                break;
            case SampleValueKind.Int64:
                writer.WriteIntegerField(tag, value.AsInt64());
                break;
            case SampleValueKind.Boolean:
                writer.WriteBooleanField(tag, value.AsBoolean());
                break;
            case SampleValueKind.String:
                writer.WriteStringField(tag, value.AsString());
                break;
            default:
                break;
        }

        if (sample.Quality.SourceStatus != 0 || !sample.Quality.IsGood || value.IsNull)
        {
            writer.WriteIntegerField(QualityFieldName(tag), StatusToWrite(sample.Quality));
        }

        writer.EndLine(sample.SourceTimeNs);
    }

    /// <summary>The raw status, or the level's canonical OPC UA code when the status's severity bits disagree.</summary>
    public static uint StatusToWrite(Quality quality)
    {
        if (Quality.FromOpcUaStatus(quality.SourceStatus).Level == quality.Level)
        {
            return quality.SourceStatus;
        }

        return quality.Level switch
        {
            QualityLevel.Uncertain => Quality.Uncertain.SourceStatus,
            QualityLevel.Bad => Quality.Bad.SourceStatus,
            _ => 0,
        };
    }

    private ReadOnlySpan<char> QualityFieldName(string tag)
    {
        var length = tag.Length + QualitySuffix.Length;
        var buffer = length <= _fieldName.Length ? _fieldName : new char[length];
        tag.CopyTo(buffer);
        QualitySuffix.CopyTo(buffer.AsSpan(tag.Length));
        return buffer.AsSpan(0, length);
    }
}
