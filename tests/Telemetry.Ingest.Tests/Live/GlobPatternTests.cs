using Telemetry.Ingest.Live;

namespace Telemetry.Ingest.Tests.Live;

public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("cnc-*", "cnc-1", true)]
    [InlineData("cnc-*", "cnc-", true)]
    [InlineData("cnc-*", "press-1", false)]
    [InlineData("cnc-?", "cnc-12", false)]
    [InlineData("cnc-??", "cnc-12", true)]
    [InlineData("*-1", "press-1", true)]
    [InlineData("*temp*", "oven_temperature", true)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    [InlineData("press-1", "press-1", true)]
    [InlineData("press-1", "Press-1", false)]
    [InlineData("cnc-*, press-1", "press-1", true)]
    [InlineData("cnc-*,press-1", "oven", false)]
    public void IsMatch_Pattern_MatchesGlob(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, GlobPattern.Parse(pattern).IsMatch(value));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("*")]
    [InlineData("cnc-1,*")]
    public void Parse_EmptyOrStar_MatchesAll(string? pattern)
    {
        var glob = GlobPattern.Parse(pattern);

        Assert.True(glob.MatchesAll);
        Assert.True(glob.IsMatch("anything"));
    }

    [Fact]
    public void Parse_EmptyItemInList_ThrowsNamingPattern()
    {
        var ex = Assert.Throws<FormatException>(() => GlobPattern.Parse("a,,b"));

        Assert.Contains("'a,,b'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exactly_NameWithWildcards_MatchesOnlyItself()
    {
        var glob = GlobPattern.Exactly("plant-*");

        Assert.True(glob.IsMatch("plant-*"));
        Assert.False(glob.IsMatch("plant-a"));
    }
}
