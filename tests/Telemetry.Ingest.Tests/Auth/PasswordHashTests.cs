using Telemetry.Ingest.Auth;

namespace Telemetry.Ingest.Tests.Auth;

public sealed class PasswordHashTests
{
    [Fact]
    public void Verify_RightPassword_True()
    {
        var hash = PasswordHash.Create("correct horse", PasswordHash.MinIterations);

        Assert.True(hash.Verify("correct horse"));
    }

    [Theory]
    [InlineData("correct hors")]
    [InlineData("Correct horse")]
    [InlineData("")]
    public void Verify_WrongPassword_False(string attempt)
    {
        var hash = PasswordHash.Create("correct horse", PasswordHash.MinIterations);

        Assert.False(hash.Verify(attempt));
    }

    [Fact]
    public void ToString_ParsedBack_VerifiesTheSamePassword()
    {
        var text = PasswordHash.Create("s3cret-pass", 2_000).ToString();

        Assert.StartsWith("pbkdf2-sha256$2000$", text, StringComparison.Ordinal);
        Assert.True(PasswordHash.TryParse(text, out var parsed, out var problem), problem);
        Assert.Equal(2_000, parsed!.Iterations);
        Assert.True(parsed.Verify("s3cret-pass"));
        Assert.False(parsed.Verify("s3cret-pasS"));
    }

    [Fact]
    public void Create_SamePasswordTwice_DifferentSaltsAndStamps()
    {
        var a = PasswordHash.Create("same password", PasswordHash.MinIterations);
        var b = PasswordHash.Create("same password", PasswordHash.MinIterations);

        Assert.NotEqual(a.ToString(), b.ToString());
        Assert.NotEqual(a.Stamp(), b.Stamp());
        Assert.True(b.Verify("same password"));
    }

    [Fact]
    public void Verify_KeyTampered_False()
    {
        var text = PasswordHash.Create("pass word", PasswordHash.MinIterations).ToString();
        var parts = text.Split('$');
        var key = Convert.FromBase64String(parts[3]);
        key[0] ^= 1;
        var tampered = string.Join('$', parts[0], parts[1], parts[2], Convert.ToBase64String(key));

        Assert.True(PasswordHash.TryParse(tampered, out var hash, out _));
        Assert.False(hash!.Verify("pass word"));
    }

    [Theory]
    [InlineData("hunter2", "never passwords")]
    [InlineData("pbkdf2-sha256$999$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "iteration count")]
    [InlineData("pbkdf2-sha256$99999999$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "iteration count")]
    [InlineData("pbkdf2-sha256$1000$not*base64$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "base64")]
    [InlineData("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAA", "base64")]
    [InlineData("bcrypt$10$x$y", "never passwords")]
    public void TryParse_NotAHash_FalseWithProblem(string text, string expected)
    {
        Assert.False(PasswordHash.TryParse(text, out var hash, out var problem));
        Assert.Null(hash);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OverlongPassword_FalseWithoutHashing()
    {
        var hash = PasswordHash.Create("short one", PasswordHash.MinIterations);

        Assert.False(hash.Verify(new string('x', PasswordHash.MaxPasswordLength + 1)));
        Assert.Throws<ArgumentException>(() => PasswordHash.Create(new string('x', PasswordHash.MaxPasswordLength + 1), PasswordHash.MinIterations));
    }
}
