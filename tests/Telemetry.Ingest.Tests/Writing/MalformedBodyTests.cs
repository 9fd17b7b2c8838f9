using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Tests.Fixtures;

namespace Telemetry.Ingest.Tests.Writing;

/// <summary>1,000 hostile bodies against the running service: each a clean 4xx, the service stays up, memory bounded.</summary>
public sealed class MalformedBodyTests
{
    [Fact]
    public async Task Write_ThousandMalformedBodies_Each4xxServiceUpMemoryBounded()
    {
        var store = new RecordingStore();
        var limits = new WriteLimits { MaxBodyBytes = 256 * 1024, MaxDecompressedBytes = 1 << 20, MaxLineBytes = 16 * 1024 };
        await using var server = await IngestTestKit.StartAsync(IngestTestKit.Options(limits: limits), store);
        using var http = IngestTestKit.Client(server);
        var random = new Random(20261201);
        var statuses = new Dictionary<int, int>();
        var valid = Encoding.UTF8.GetBytes("machine,machine=m1,site=plant-a speed=1.5,count=3i,ok=true,mode=\"run\" 1700000000000000000\n");
        long peakWorkingSet = 0;
        using var self = Process.GetCurrentProcess();
        for (var i = 0; i < 1000; i++)
        {
            var (body, gzip) = Hostile(random, i, valid);
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/write?bucket=b");
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", IngestTestKit.TokenA);
            var content = new ByteArrayContent(body);
            if (gzip)
            {
                content.Headers.ContentEncoding.Add("gzip");
            }

            request.Content = content;
            using var response = await http.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status is >= 400 and < 500, $"input {i} ({Kind(i)}): HTTP {status} {await response.Content.ReadAsStringAsync()}");
            if (i % 50 == 0)
            {
                self.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, self.WorkingSet64);
            }
        }

        Assert.Empty(store.Writes);
        using var ok = await IngestTestKit.WriteV2Async(http, IngestTestKit.TokenA, Encoding.UTF8.GetString(valid));
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        // The test process hosts the service: bodies are at most 256 KiB, inflated at most 1 MiB, so a few hundred
        // MiB would mean a leak (pooled buffers that grow without bound).
        Assert.True(peakWorkingSet < 600L << 20, $"working set peaked at {peakWorkingSet >> 20} MiB; statuses {string.Join(", ", statuses)}");
    }

    private static string Kind(int i) => (i % 6) switch
    {
        0 => "random bytes",
        1 => "truncated gzip",
        2 => "huge line",
        3 => "bad UTF-8",
        4 => "mutated valid line",
        _ => "random gzip garbage",
    };

    private static (byte[] Body, bool Gzip) Hostile(Random random, int i, byte[] valid)
    {
        switch (i % 6)
        {
            case 0:
            {
                var bytes = new byte[random.Next(1, 4096)];
                random.NextBytes(bytes);
                bytes[0] = (byte)'#' == bytes[0] ? (byte)'x' : bytes[0]; // not a lone comment
                bytes[^1] = (byte)'=';                                    // never a valid line end
                return (bytes, false);
            }

            case 1:
            {
                var many = Enumerable.Repeat(valid, 200).SelectMany(b => b).ToArray();
                var gz = IngestTestKit.Gzip(many);
                return (gz[..random.Next(10, gz.Length - 1)], true);
            }

            case 2:
            {
                var line = new StringBuilder("machine,machine=m1,site=plant-a s=\"");
                line.Append('x', 20_000 + random.Next(0, 200_000));
                line.Append("\" 1\n");
                return (Encoding.UTF8.GetBytes(line.ToString()), random.Next(2) == 0);
            }

            case 3:
            {
                var text = Encoding.UTF8.GetBytes("machine,machine=m1,site=plant-a mode=\"ab\" 1\n");
                text[38] = 0xC3;
                text[39] = (byte)(0x28 + random.Next(0, 8)); // invalid continuation byte
                return (text, false);
            }

            case 4:
            {
                var text = (byte[])valid.Clone();
                for (var k = 0; k < 3; k++)
                {
                    text[random.Next(0, text.Length - 1)] = (byte)"=, \\\"\n"[random.Next(0, 6)];
                }

                // A mutation might still be valid line protocol; make sure it is not by breaking the field set.
                return ([.. text[..^1], (byte)' ', (byte)'x', (byte)'\n'], false);
            }

            default:
            {
                var bytes = new byte[random.Next(20, 2000)];
                random.NextBytes(bytes);
                bytes[0] = 0x1f;
                bytes[1] = 0x8b;
                bytes[2] = 8;
                return (bytes, true);
            }
        }
    }
}
