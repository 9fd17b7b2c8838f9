using Telemetry.Core;

namespace Telemetry.Ingest.Tests.Live;

/// <summary>Samples for the live and health tests; one asset path per series, reused like the parser does.</summary>
internal static class LiveSamples
{
    public const long T0 = 1_764_576_000_000_000_000; // 2025-12-01T08:00:00Z in ns

    public static AssetPath Path(string site, string machine, string tag, string area = "hall-1", string line = "line-1") =>
        new(site, area, line, machine, tag);

    public static Sample Number(AssetPath path, double value, long timeNs = T0) =>
        new(path, timeNs, SampleValue.FromDouble(value), Quality.Good, timeNs);

    public static Sample Text(AssetPath path, string value, long timeNs = T0) =>
        new(path, timeNs, SampleValue.FromString(value), Quality.Good, timeNs);

    public static Sample[] Batch(AssetPath path, int count, long startNs = T0)
    {
        var samples = new Sample[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = Number(path, i, startNs + (i * 1_000_000L));
        }

        return samples;
    }
}
