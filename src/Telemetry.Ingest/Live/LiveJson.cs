using System.Text.Json;
using Telemetry.Core;
using Telemetry.Dashboard;

namespace Telemetry.Ingest.Live;

/// <summary>
/// The live API's JSON, the same shapes as the edge's (src/Telemetry.Edge/Api/LiveJson.cs) so one dashboard reads
/// both: a sample is {m: machine key, t: tag, v: value, q: quality, ts: source ms, rt: receive ms}. Written by
/// hand with <see cref="Utf8JsonWriter"/> (no reflection, no boxing).
/// </summary>
public static class LiveJson
{
    private static readonly JsonEncodedText M = JsonEncodedText.Encode("m");
    private static readonly JsonEncodedText T = JsonEncodedText.Encode("t");
    private static readonly JsonEncodedText V = JsonEncodedText.Encode("v");
    private static readonly JsonEncodedText Q = JsonEncodedText.Encode("q");
    private static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText Rt = JsonEncodedText.Encode("rt");
    private static readonly JsonEncodedText Good = JsonEncodedText.Encode("good");
    private static readonly JsonEncodedText Uncertain = JsonEncodedText.Encode("uncertain");
    private static readonly JsonEncodedText Bad = JsonEncodedText.Encode("bad");

    /// <summary>One compact sample object; <paramref name="names"/> caches the encoded machine key and tag per series.</summary>
    public static void WriteSample(Utf8JsonWriter writer, in Sample sample, LiveNameCache names)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(names);
        var (machineKey, tag) = names.Get(sample.Path);
        writer.WriteStartObject();
        writer.WriteString(M, machineKey);
        writer.WriteString(T, tag);
        DashboardJson.WriteValue(writer, V, sample.Value);
        writer.WriteString(Q, sample.Quality.Level switch
        {
            QualityLevel.Good => Good,
            QualityLevel.Uncertain => Uncertain,
            _ => Bad,
        });
        writer.WriteNumber(Ts, DashboardJson.ToMs(sample.SourceTimeNs));
        writer.WriteNumber(Rt, DashboardJson.ToMs(sample.ReceiveTimeNs));
        writer.WriteEndObject();
    }
}

/// <summary>
/// Per-stream cache of a series' encoded machine key and tag (the parser reuses one <see cref="AssetPath"/> per
/// series, so after the first sample writing a name is a copy). Bounded: cleared when it grows past its cap.
/// </summary>
public sealed class LiveNameCache
{
    private readonly Dictionary<AssetPath, (JsonEncodedText Machine, JsonEncodedText Tag)> _names = [];
    private readonly int _capacity;

    public LiveNameCache(int capacity = 16_384) => _capacity = capacity;

    public (JsonEncodedText Machine, JsonEncodedText Tag) Get(AssetPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (_names.TryGetValue(path, out var names))
        {
            return names;
        }

        if (_names.Count >= _capacity)
        {
            _names.Clear();
        }

        names = (JsonEncodedText.Encode(path.MachineKey), JsonEncodedText.Encode(path.Tag));
        _names.Add(path, names);
        return names;
    }
}
