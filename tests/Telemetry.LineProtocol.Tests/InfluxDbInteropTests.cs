using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using Telemetry.Core;
using Telemetry.LineProtocol;

namespace Telemetry.LineProtocol.Tests;

/// <summary>
/// Points written with <see cref="LineProtocolWriter"/> to a real InfluxDB 1.x (`POST /write?db=&amp;precision=ns`)
/// and queried back (`/query`, epoch=ns, `SELECT * FROM /.*/ GROUP BY *`): names, tags, every field type the
/// server takes, values and ns timestamps compared exactly.
/// </summary>
public class InfluxDbInteropTests(InfluxDbFixture fixture) : IClassFixture<InfluxDbFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Write_HostilePointsEveryType_QueriedBackExactly()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await fixture.Peer.CreateDatabaseAsync("hostile", cts.Token);
        var expected = HostilePoints(seed: 2026, count: 400);
        Assert.Contains(expected, p => p.Fields.Any(f => f.Value is string { Length: >= 65_536 }));

        await WriteAsync("hostile", LineProtocolTestHelpers.Write([.. expected]), cts.Token);
        var actual = await QueryAllAsync("hostile", cts.Token);

        Assert.Equal(expected.Count, actual.Count);
        foreach (var point in expected)
        {
            Assert.True(actual.TryGetValue(point.TimestampNs!.Value, out var stored), $"missing {point}");
            Assert.Equal(point.Measurement, stored.Measurement);
            Assert.Equal(point.Tags.OrderBy(t => t.Key, StringComparer.Ordinal), stored.Tags.OrderBy(t => t.Key, StringComparer.Ordinal));
            Assert.Equal(point.Fields.Count, stored.Fields.Count);
            foreach (var field in point.Fields)
            {
                var match = stored.Fields.SingleOrDefault(f => f.Key == field.Key);
                Assert.True(match is not null, $"field {Show(field.Key)} of {point} not stored; stored keys: {string.Join(" | ", stored.Fields.Select(f => Show(f.Key)))}");
                Assert.True(Same(field, match), $"{point.Measurement} {field} stored as {match}");
            }
        }
    }

    [Fact]
    public async Task Write_UnsignedField_RefusedByInfluxDb16()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await fixture.Peer.CreateDatabaseAsync("unsigned", cts.Token);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new LineProtocolWriter(buffer);
        writer.WriteMeasurement("m");
        writer.WriteUnsignedField("u", 5);
        writer.EndLine(1);
        using var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        using var response = await fixture.Http.PostAsync(fixture.Peer.WriteUri("unsigned"), content, cts.Token);
        var body = await response.Content.ReadAsStringAsync(cts.Token);

        // This is why SampleLineEncoder writes the quality status as `i`, not `u`.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid number", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_EncodedSamples_ReadBackAsSamples()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await fixture.Peer.CreateDatabaseAsync("samples", cts.Token);
        var samples = SampleData.Samples(seed: 5);
        var buffer = new ArrayBufferWriter<byte>();
        new SampleLineEncoder().Write(new LineProtocolWriter(buffer), samples);
        await WriteAsync("samples", buffer.WrittenSpan.ToArray(), cts.Token);

        var stored = await QueryAllAsync("samples", cts.Token);
        Assert.Equal(samples.Length, stored.Count);

        // Rebuild the line each stored point stands for and decode it with the ingest's decoder.
        var decoder = new SampleLineDecoder();
        var parser = new LineProtocolParser();
        foreach (var sample in samples)
        {
            var point = stored[sample.SourceTimeNs];
            Assert.Equal("machine", point.Measurement);
            var line = LineProtocolTestHelpers.Write(point with { Fields = [.. point.Fields.OrderBy(f => f.Key.Length)] });
            var reader = parser.CreateReader(line);
            Assert.True(reader.TryReadLine(out var parsed));
            Assert.True(decoder.TryDecode(parsed, 0, 0, out var decoded));
            Assert.Equal(sample with { ReceiveTimeNs = 0 }, decoded);
        }
    }

    private static string Show(string text) => JsonSerializer.Serialize(text);

    private static bool Same(TestField expected, TestField stored) => expected.Type switch
    {
        LineProtocolFieldType.Float => stored.Value is double d && BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits((double)expected.Value),
        LineProtocolFieldType.Integer => stored.Value is long l && l == (long)expected.Value,
        LineProtocolFieldType.Boolean => stored.Value is bool b && b == (bool)expected.Value,
        _ => stored.Value is string s && s == (string)expected.Value,
    };

    /// <summary>Hostile points InfluxDB 1.x can store: no unsigned fields; field keys carry their type (a key keeps
    /// one type per shard); tag and field keys cannot collide; unique ns timestamps within one shard week.</summary>
    private static List<TestPoint> HostilePoints(int seed, int count)
    {
        var data = new HostileData(seed);
        var measurements = Enumerable.Range(0, 5).Select(_ => data.Name(measurement: true)).Distinct().ToArray();
        var points = new List<TestPoint>();
        for (var i = 0; i < count; i++)
        {
            var tags = new List<KeyValuePair<string, string>>();
            foreach (var key in Enumerable.Range(0, data.Random.Next(0, 4)).Select(_ => "t" + data.Name()).Distinct())
            {
                tags.Add(new(key, data.Name()));
            }

            var fields = new List<TestField>();
            foreach (var key in Enumerable.Range(0, data.Random.Next(1, 5)).Select(_ => data.Name()).Distinct())
            {
                var type = (LineProtocolFieldType)data.Random.Next(5);
                fields.Add(type switch
                {
                    LineProtocolFieldType.Float => new TestField("f" + key + "·F", type, data.Double()),
                    LineProtocolFieldType.Integer => new TestField("f" + key + "·I", type, data.Int64()),
                    LineProtocolFieldType.Boolean => new TestField("f" + key + "·B", type, data.Random.Next(2) == 0),
                    LineProtocolFieldType.Unsigned => new TestField("f" + key + "·S", LineProtocolFieldType.String, i == 7 ? new string('€', 21_846) + "\"\\\n" : data.StringValue()),
                    _ => new TestField("f" + key + "·S", type, data.StringValue()),
                });
            }

            points.Add(new TestPoint(measurements[i % measurements.Length], tags, fields, 1_700_000_000_000_000_000L + (i * 1_000_003L) + data.Random.Next(1000)));
        }

        return points;
    }

    private async Task WriteAsync(string database, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        using var response = await fixture.Http.PostAsync(fixture.Peer.WriteUri(database), content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"{(int)response.StatusCode}: {text}");
    }

    /// <summary>Every stored point by timestamp: measurement, non-empty tags, non-null fields typed by key suffix.</summary>
    private async Task<Dictionary<long, TestPoint>> QueryAllAsync(string database, CancellationToken cancellationToken)
    {
        var json = await fixture.Peer.QueryAsync("SELECT * FROM /.*/ GROUP BY *", database, cancellationToken);
        using var document = JsonDocument.Parse(json);
        var result = document.RootElement.GetProperty("results")[0];
        Assert.False(result.TryGetProperty("error", out var error), error.ToString());
        var points = new Dictionary<long, TestPoint>();
        foreach (var series in result.GetProperty("series").EnumerateArray())
        {
            var name = series.GetProperty("name").GetString()!;
            var tags = series.TryGetProperty("tags", out var tagObject)
                ? tagObject.EnumerateObject().Where(t => t.Value.GetString() is { Length: > 0 }).Select(t => new KeyValuePair<string, string>(t.Name, t.Value.GetString()!)).ToList()
                : [];
            var columns = series.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
            foreach (var row in series.GetProperty("values").EnumerateArray())
            {
                var values = row.EnumerateArray().ToArray();
                var time = values[0].GetInt64();
                var fields = new List<TestField>();
                for (var c = 1; c < columns.Length; c++)
                {
                    if (values[c].ValueKind != JsonValueKind.Null)
                    {
                        fields.Add(ReadField(columns[c], values[c]));
                    }
                }

                points.Add(time, new TestPoint(name, tags, fields, time));
            }
        }

        return points;
    }

    private static TestField ReadField(string key, JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return new TestField(key, LineProtocolFieldType.Boolean, value.GetBoolean());
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return new TestField(key, LineProtocolFieldType.String, value.GetString()!);
        }

        // JSON does not say float or integer: the key's suffix (or the sample schema's quality field) does.
        return key.EndsWith("·I", StringComparison.Ordinal) || key.EndsWith(SampleLineEncoder.QualitySuffix, StringComparison.Ordinal) || key.StartsWith("int", StringComparison.Ordinal)
            ? new TestField(key, LineProtocolFieldType.Integer, value.GetInt64())
            : new TestField(key, LineProtocolFieldType.Float, double.Parse(value.GetRawText(), System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>Samples of every value kind and quality, on hostile asset paths, for the store round trips.</summary>
public static class SampleData
{
    public static Sample[] Samples(int seed, bool numericOnly = false)
    {
        var data = new HostileData(seed);
        var samples = new List<Sample>();
        for (var i = 0; i < 60; i++)
        {
            var path = new AssetPath(data.Name(), i % 3 == 0 ? "" : data.Name(), i % 4 == 0 ? "" : data.Name(), data.Name(), KindName(i % 5) + i);
            var value = (i % 5) switch
            {
                0 => SampleValue.FromDouble(numericOnly ? Math.Round(data.Random.NextDouble() * 1000, 3) : data.Double()),
                1 => SampleValue.FromInt64(numericOnly ? data.Random.Next(-1_000_000, 1_000_000) : data.Int64()),
                2 => SampleValue.FromBoolean(i % 2 == 0),
                3 => numericOnly ? SampleValue.FromDouble(i) : SampleValue.FromString(data.StringValue()),
                _ => SampleValue.Null,
            };
            var quality = (i % 4) switch
            {
                0 => Quality.BadNoCommunication,
                1 => Quality.FromOpcUaStatus(0x408F0000),
                _ => Quality.Good,
            };
            samples.Add(new Sample(path, 1_700_000_000_000_000_000L + (i * 1_000_000_007L), value, quality, 0));
        }

        return [.. samples];
    }

    private static string KindName(int kind) => kind switch
    {
        0 => "float",
        1 => "int",
        2 => "bool",
        3 => "text",
        _ => "none",
    };
}
