using System.IO.Compression;
using Telemetry.Core;
using Telemetry.Core.Buffers;
using Telemetry.LineProtocol;

namespace Telemetry.IngestLoad;

/// <summary>Gzip line protocol bodies as the edge sends them: 5,000 lines each, every line a unique series+time.</summary>
public static class LoadBodies
{
    public const string Site = "plant-load";

    public static byte[][] Make(int bodies, int linesPerBody, int machines = 50)
    {
        var result = new byte[bodies][];
        var encoder = new SampleLineEncoder();
        using var text = new PooledByteBuffer(1 << 20);
        var tagsPerMachine = Math.Max(1, linesPerBody / machines);
        for (var b = 0; b < bodies; b++)
        {
            text.Reset();
            var writer = new LineProtocolWriter(text);
            var time = 1_790_000_000_000_000_000 + ((long)b * 1_000_000_000);
            for (var i = 0; i < linesPerBody; i++)
            {
                var path = new AssetPath(Site, "hall-1", "line-1", $"m{i / tagsPerMachine % machines:D3}", $"tag_{i % tagsPerMachine:D3}");
                encoder.Write(writer, new Sample(path, time + i, SampleValue.FromDouble((b * 0.5) + i), Quality.Good, 0));
            }

            using var gz = new MemoryStream();
            using (var zip = new GZipStream(gz, CompressionLevel.Fastest))
            {
                zip.Write(text.WrittenSpan);
            }

            result[b] = gz.ToArray();
        }

        return result;
    }
}
