using Telemetry.Ingest.Auth;
using Telemetry.Ingest.Cli;
using Telemetry.Ingest.Configuration;
using Telemetry.Testing;

namespace Telemetry.Ingest.Tests.Auth;

/// <summary>users: and signIn: in the ingest's file, and `telemetry-ingest add-user`, which writes them.</summary>
public sealed class UserConfigTests
{
    private const string Sites = "sites:\n  - name: plant-a\n  - name: plant-b\n";

    private static string Hash(string password = "some password") => PasswordHash.Create(password, PasswordHash.MinIterations).ToString();

    [Fact]
    public void Load_SiteUserAndOperator_ReadsBoth()
    {
        var yaml = Sites + $"users:\n  - name: anna\n    site: plant-a\n    passwordHash: {Hash("anna pass")}\n  - name: olga\n    role: operator\n    passwordHash: {Hash()}\n"
            + "signIn: { sessionLifetime: 8h, maxFailures: 3, lockout: 5m }\n";

        var options = IngestConfigLoader.Load(yaml, "ingest.yaml");

        Assert.Equal(2, options.Users.Count);
        Assert.Equal("plant-a", options.Users[0].Site);
        Assert.True(options.Users[0].Password.Verify("anna pass"));
        Assert.True(options.Users[1].IsOperator);
        Assert.Equal(TimeSpan.FromHours(8), options.SignIn.SessionLifetime);
        Assert.Equal(3, options.SignIn.MaxFailures);
    }

    [Fact]
    public void Load_ClearPassword_RefusedWithLineAndAdvice()
    {
        var yaml = Sites + "users:\n  - name: anna\n    site: plant-a\n    password: hunter22\n";

        var ex = Assert.Throws<IngestConfigException>(() => IngestConfigLoader.Load(yaml, "ingest.yaml"));

        Assert.Contains("ingest.yaml:7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("add-user", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PasswordInHashField_RefusedSayingHashesOnly()
    {
        var yaml = Sites + "users:\n  - name: anna\n    site: plant-a\n    passwordHash: hunter22\n";

        var ex = Assert.Throws<IngestConfigException>(() => IngestConfigLoader.Load(yaml, "ingest.yaml"));

        Assert.Contains("ingest.yaml:7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("never passwords", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    site: plant-x\n", "not configured")]
    [InlineData("", "needs 'site: NAME'")]
    [InlineData("    site: plant-a\n    role: operator\n", "every site")]
    public void Load_BadSiteOrRole_RefusedNamingIt(string lines, string expected)
    {
        var yaml = Sites + $"users:\n  - name: anna\n{lines}    passwordHash: {Hash()}\n";

        var ex = Assert.Throws<IngestConfigException>(() => IngestConfigLoader.Load(yaml, "ingest.yaml"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SameUserTwiceIgnoringCase_Refused()
    {
        var yaml = Sites + $"users:\n  - {{ name: anna, site: plant-a, passwordHash: '{Hash()}' }}\n  - {{ name: Anna, site: plant-b, passwordHash: '{Hash()}' }}\n";

        var ex = Assert.Throws<IngestConfigException>(() => IngestConfigLoader.Load(yaml, "ingest.yaml"));

        Assert.Contains("users[1].name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ShortSessionKey_Refused()
    {
        Environment.SetEnvironmentVariable("TELEMETRY_TEST_SHORT_KEY", "short");
        var ex = Assert.Throws<IngestConfigException>(() =>
            IngestConfigLoader.Load("signIn: { sessionKey: { env: TELEMETRY_TEST_SHORT_KEY } }\n", "ingest.yaml"));

        Assert.Contains("32 characters", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetUser_NoUsersKey_AppendsKeepingComments()
    {
        var yaml = UserFileEditor.SetUser("# the ingest\n" + Sites + "# end\n", "anna", "plant-a", Hash("anna pass"));

        Assert.StartsWith("# the ingest\n", yaml, StringComparison.Ordinal);
        Assert.Contains("# end\n", yaml, StringComparison.Ordinal);
        var user = Assert.Single(IngestConfigLoader.Load(yaml, "t.yaml").Users);
        Assert.True(user.Password.Verify("anna pass"));
    }

    [Fact]
    public void SetUser_AfterOtherUsers_KeepsFollowingKeysAndComments()
    {
        var start = Sites + $"users:\n  - name: olga # the operator\n    role: operator\n    passwordHash: {Hash()}\n\n# the store\nstore: {{ kind: none }}\n";

        var yaml = UserFileEditor.SetUser(start, "bert", "plant-b", Hash("bert pass"));

        var options = IngestConfigLoader.Load(yaml, "t.yaml");
        Assert.Equal(["olga", "bert"], options.Users.Select(u => u.Name));
        Assert.Contains("# the operator", yaml, StringComparison.Ordinal);
        Assert.Contains("# the store", yaml, StringComparison.Ordinal);
        Assert.Equal(StoreKind.Null, options.Store.Kind);
    }

    [Fact]
    public void SetUser_ExistingUser_ReplacesOnlyItsHash()
    {
        var start = Sites + $"users:\n  - name: anna\n    site: plant-a # team A\n    passwordHash: {Hash("old pass")} # set 2026-11\n";

        var yaml = UserFileEditor.SetUser(start, "anna", "plant-a", Hash("new pass"));

        var user = Assert.Single(IngestConfigLoader.Load(yaml, "t.yaml").Users);
        Assert.True(user.Password.Verify("new pass"));
        Assert.False(user.Password.Verify("old pass"));
        Assert.Contains("# team A", yaml, StringComparison.Ordinal);
        Assert.Contains("# set 2026-11", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void SetUser_ExistingUserOtherSite_RefusedNamingTheSite()
    {
        var start = Sites + $"users:\n  - name: anna\n    site: plant-a\n    passwordHash: {Hash()}\n";

        var ex = Assert.Throws<InvalidOperationException>(() => UserFileEditor.SetUser(start, "anna", "plant-b", Hash()));

        Assert.Contains("plant-a", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddUserCommand_PasswordOnStdin_WritesHashThatVerifiesAndNoClearPassword()
    {
        using var dir = new TempDirectory("add-user");
        var file = dir.Combine("ingest.yaml");
        await File.WriteAllTextAsync(file, "# datacenter\n" + Sites);
        using var output = new StringWriter();

        var exit = AddUserCommand.Run(["anna", "--site", "plant-a", "--config", file, "--iterations", "1000"], new StringReader("anna-secret-9\n"), output, interactive: false);

        Assert.Equal(0, exit);
        var text = await File.ReadAllTextAsync(file);
        Assert.DoesNotContain("anna-secret-9", text, StringComparison.Ordinal);
        Assert.StartsWith("# datacenter\n", text, StringComparison.Ordinal);
        var user = Assert.Single(IngestConfigLoader.LoadFile(file).Users);
        Assert.True(user.Password.Verify("anna-secret-9"));
        Assert.Contains("can sign in", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddUserCommand_DefaultIterations_WritesOwaspCount()
    {
        using var dir = new TempDirectory("add-user");
        var file = dir.Combine("ingest.yaml");
        File.WriteAllText(file, Sites);

        AddUserCommand.Run(["olga", "--operator", "--config", file], new StringReader("olga-secret-9\n"), TextWriter.Null, interactive: false);

        Assert.Equal(PasswordHash.DefaultIterations, Assert.Single(IngestConfigLoader.LoadFile(file).Users).Password.Iterations);
    }

    [Theory]
    [InlineData(new[] { "anna", "--config", "x.yaml" }, "exactly one of")]
    [InlineData(new[] { "anna", "--site", "plant-a", "--operator", "--config", "x.yaml" }, "exactly one of")]
    [InlineData(new[] { "bad name!", "--site", "plant-a", "--config", "x.yaml" }, "not a valid user name")]
    [InlineData(new[] { "anna", "--site", "plant-a", "--config", "x.yaml", "--bogus" }, "--bogus")]
    public void AddUserCommand_BadArguments_ClearError(string[] args, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => AddUserCommand.Run(args, new StringReader("password-long\n"), TextWriter.Null, interactive: false));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLine_AddUserWithoutName_ExitsTwoWithUsage()
    {
        using var output = new StringWriter();

        var exit = await IngestCommandLine.RunAsync(["add-user", "--site", "plant-a"], output, output);

        Assert.Equal(2, exit);
        Assert.Contains("add-user needs the user name first", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("telemetry-ingest add-user NAME --site SITE --config FILE", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddUserCommand_ShortPassword_RefusedFileUnchanged()
    {
        using var dir = new TempDirectory("add-user");
        var file = dir.Combine("ingest.yaml");
        File.WriteAllText(file, Sites);

        var ex = Assert.Throws<ArgumentException>(() => AddUserCommand.Run(["anna", "--site", "plant-a", "--config", file], new StringReader("short\n"), TextWriter.Null, interactive: false));

        Assert.Contains("8 to", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Sites, File.ReadAllText(file));
    }

    [Fact]
    public void AddUserCommand_UnknownSite_RefusedFileUnchanged()
    {
        using var dir = new TempDirectory("add-user");
        var file = dir.Combine("ingest.yaml");
        File.WriteAllText(file, Sites);

        var ex = Assert.Throws<IngestConfigException>(() => AddUserCommand.Run(["anna", "--site", "plant-z", "--config", file, "--iterations", "1000"], new StringReader("long-enough-1\n"), TextWriter.Null, interactive: false));

        Assert.Contains("plant-z", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Sites, File.ReadAllText(file));
    }
}
