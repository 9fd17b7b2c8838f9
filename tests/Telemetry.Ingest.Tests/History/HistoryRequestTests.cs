using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Telemetry.Ingest.History;
using Telemetry.Ingest.Sites;

namespace Telemetry.Ingest.Tests.History;

public sealed class HistoryRequestTests
{
    private static readonly IngestCaller SiteA = new("site:plant-a", "plant-a");
    private static readonly IngestCaller Operator = new("operator:ops", null);

    private static QueryCollection Query(params (string Key, string Value)[] pairs) =>
        new(pairs.ToDictionary(p => p.Key, p => new StringValues(p.Value)));

    [Fact]
    public void Parse_FullKey_SplitsSiteAreaLineMachine()
    {
        var q = HistoryRequest.Parse(Query(("machine", "plant-a/press/line 1/m/with/slash"), ("tag", "temp, speed,temp"), ("from", "1000"), ("to", "2000")), SiteA);

        Assert.Equal(new MachineSelector("plant-a", "press", "line 1", "m/with/slash"), q.Machine);
        Assert.Equal(["temp", "speed"], q.Tags);
        Assert.Equal((1000, 2000, HistoryRequest.DefaultPoints), (q.FromMs, q.ToMs, q.Points));
    }

    [Fact]
    public void Parse_NameOnlyBySiteCaller_UsesCallersSite()
    {
        var q = HistoryRequest.Parse(Query(("machine", "m1"), ("tag", "t"), ("from", "2026-12-01T10:00:00Z"), ("to", "2026-12-01T11:00:00+01:00"), ("points", "50")), SiteA);

        Assert.Equal(new MachineSelector("plant-a", null, null, "m1"), q.Machine);
        Assert.Equal(q.FromMs, q.ToMs);
        Assert.Equal(50, q.Points);
    }

    [Fact]
    public void Parse_NameOnlyByOperator_AnySiteOrTheNamedOne()
    {
        Assert.Null(HistoryRequest.Parse(Query(("machine", "m1"), ("tag", "t"), ("from", "0"), ("to", "1")), Operator).Machine.Site);
        Assert.Equal("plant-b", HistoryRequest.Parse(Query(("machine", "m1"), ("site", "plant-b"), ("tag", "t"), ("from", "0"), ("to", "1")), Operator).Machine.Site);
    }

    [Fact]
    public void Parse_OtherSitesKeyBySiteCaller_Throws403()
    {
        var ex = Assert.Throws<HistoryRequestException>(() => HistoryRequest.Parse(Query(("machine", "plant-b/a/l/m"), ("tag", "t"), ("from", "0"), ("to", "1")), SiteA));

        Assert.Equal(StatusCodes.Status403Forbidden, ex.StatusCode);
    }

    [Fact]
    public void Parse_SiteParameterDisagreesWithKey_Throws400NamingSite()
    {
        var ex = Assert.Throws<HistoryRequestException>(() => HistoryRequest.Parse(Query(("machine", "plant-a/a/l/m"), ("site", "plant-b"), ("tag", "t"), ("from", "0"), ("to", "1")), Operator));

        Assert.Equal(StatusCodes.Status400BadRequest, ex.StatusCode);
        Assert.Contains("'site'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("points", "1")]
    [InlineData("points", "100001")]
    [InlineData("points", "-5")]
    [InlineData("from", "12:00")]
    [InlineData("to", "12:00")]
    [InlineData("to", "2026-13-01T00:00:00Z")]
    [InlineData("to", "")]
    [InlineData("machine", "/a/l/m")]
    [InlineData("machine", "s/a/l/")]
    [InlineData("tag", ",,")]
    public void Parse_BadParameter_Throws400NamingIt(string parameter, string value)
    {
        var pairs = new Dictionary<string, string> { ["machine"] = "m", ["tag"] = "t", ["from"] = "0", ["to"] = "1", [parameter] = value };

        var ex = Assert.Throws<HistoryRequestException>(() => HistoryRequest.Parse(Query(pairs.Select(p => (p.Key, p.Value)).ToArray()), SiteA));

        Assert.Equal(StatusCodes.Status400BadRequest, ex.StatusCode);
        Assert.Contains($"'{parameter}'", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class QueryEscapingTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", @"'it\'s'")]
    [InlineData(@"a\b", @"'a\\b'")]
    [InlineData("x\\' OR 1=1", @"'x\\\' OR 1=1'")]
    [InlineData("two\nlines", @"'two\nlines'")]
    [InlineData("say \"hi\"", "'say \"hi\"'")]
    public void InfluxString_HostileText_QuotedLiterally(string text, string expected) =>
        Assert.Equal(expected, QueryEscaping.InfluxString(text));

    [Theory]
    [InlineData("temp", "\"temp\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData(@"a\", "\"a\\\\\"")]
    public void InfluxIdentifier_HostileName_QuotedLiterally(string name, string expected) =>
        Assert.Equal(expected, QueryEscaping.InfluxIdentifier(name));

    [Theory]
    [InlineData("x\",machine=~\".*", "\"x\\\",machine=~\\\".*\"")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("it's", "\"it's\"")]
    public void PromString_HostileText_QuotedLiterally(string text, string expected) =>
        Assert.Equal(expected, QueryEscaping.PromString(text));
}
