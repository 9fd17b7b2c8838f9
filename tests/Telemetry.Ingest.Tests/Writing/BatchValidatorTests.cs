using System.Text;
using Telemetry.Core;
using Telemetry.Core.Buffers;
using Telemetry.Ingest.Writing;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Tests.Writing;

public sealed class BatchValidatorTests
{
    private static BatchResult Validate(string body, string site = "a", SampleBatch? samples = null) =>
        BatchValidator.Validate(new LineProtocolParser(), Encoding.UTF8.GetBytes(body), Encoding.UTF8.GetBytes(site), samples is null ? null : new SampleLineDecoder(), samples, 42);

    [Fact]
    public void Validate_AllLinesOfOwnSite_AcceptedWithPointCount()
    {
        var result = Validate("machine,site=a,machine=m1 t=1 1\n# comment\n\nmachine,site=a,machine=m2 t=2\n");

        Assert.True(result.IsAccepted);
        Assert.Equal(2, result.Points);
        Assert.Equal(1, result.PointsWithoutTimestamp);
    }

    [Fact]
    public void Validate_OneBadLine_MalformedNamingLineAndColumn()
    {
        var result = Validate("machine,site=a t=1 1\nmachine,site=a t=2 2\nmachine,site=a t=oops 3\n");

        Assert.Equal(BatchVerdict.Malformed, result.Verdict);
        Assert.StartsWith("line 3:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PointOfAnotherSite_ForeignSite()
    {
        var result = Validate("machine,site=a t=1 1\nmachine,site=b t=2 2\n");

        Assert.Equal(BatchVerdict.ForeignSite, result.Verdict);
        Assert.Contains("line 2", result.Error, StringComparison.Ordinal);
        Assert.Contains("'b'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PointWithoutSite_ForeignSite()
    {
        var result = Validate("machine,machine=m1 t=1 1\n");

        Assert.Equal(BatchVerdict.ForeignSite, result.Verdict);
        Assert.Contains("no site tag", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SchemaLines_DecodedIntoSamples_OtherLinesNot()
    {
        using var samples = new SampleBatch();
        var result = Validate("machine,area=A,line=L,machine=m1,site=a speed=12.5 1000\ncpu,site=a v=1 2\nmachine,site=a odd=1 3\n", samples: samples);

        Assert.True(result.IsAccepted);
        var sample = Assert.Single(samples.Samples.ToArray());
        Assert.Equal("m1", sample.Path.Machine);
        Assert.Equal("speed", sample.Path.Tag);
        Assert.Equal(1000, sample.SourceTimeNs);
    }

    [Fact]
    public void StampMissingTimestamps_OnlyLinesWithoutOne_GetTheTime()
    {
        using var output = new PooledByteBuffer();
        BatchValidator.StampMissingTimestamps(new LineProtocolParser(), Encoding.UTF8.GetBytes("a,site=a v=1\n#c\na,site=a v=2 5\n"), 77, output);

        Assert.Equal("a,site=a v=1 77\na,site=a v=2 5\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
