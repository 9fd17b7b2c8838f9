using System.Text;
using Telemetry.Ingest.Writing;
using Telemetry.LineProtocol;
using Xunit;

namespace Telemetry.Ingest.Tests.Writing;

public sealed class BatchCheckTests
{
    [Fact]
    public void Check_AllLinesOfOwnSite_ReturnsPointCount()
    {
        var body = Encoding.UTF8.GetBytes("machine,site=a,machine=m1 t=1 1\nmachine,site=a,machine=m2 t=2 2\n");

        Assert.Equal(2, BatchCheck.Check(new LineProtocolParser(), body, "a", out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Check_OneBadLine_RejectsWholeBatchNamingLineAndColumn()
    {
        var body = Encoding.UTF8.GetBytes("machine,site=a t=1 1\nmachine,site=a t=2 2\nmachine,site=a t=oops 3\n");

        Assert.Null(BatchCheck.Check(new LineProtocolParser(), body, "a", out var error));
        Assert.StartsWith("line 3:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PointOfAnotherSite_Refused()
    {
        var body = Encoding.UTF8.GetBytes("machine,site=a t=1 1\nmachine,site=b t=2 2\n");

        Assert.Null(BatchCheck.Check(new LineProtocolParser(), body, "a", out var error));
        Assert.Contains("line 2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PointWithoutSite_Refused()
    {
        var body = Encoding.UTF8.GetBytes("machine,machine=m1 t=1 1\n");

        Assert.Null(BatchCheck.Check(new LineProtocolParser(), body, "a", out var error));
        Assert.Contains("no site tag", error, StringComparison.Ordinal);
    }
}
