using System.Security.Cryptography.X509Certificates;
using Telemetry.Edge.Configuration;
using Telemetry.Edge.Hosting;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;
using Telemetry.Testing;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>The security settings of `type: opcua` sources and the agent's `opcua:` section in edge.yaml.</summary>
public class OpcUaSecurityConfigTests
{
    private const string Secure = """
        edge: { id: edge-7, site: plant-a, data_dir: /var/lib/te }
        sources:
          - name: press-plc
            type: opcua
            endpoint: opc.tcp://127.0.0.1:4840
            security:
              mode: SignAndEncrypt
              policy: Basic256Sha256
            username: operator
            password: { env: PLC_PASSWORD }
            machine: press-01
            nodes:
              - node: nsu=urn:telemetry:machines;s=Press1.Force
        """;

    private static string? Env(string name) => name switch
    {
        "PLC_PASSWORD" => "secret",
        "PFX_PASSWORD" => "pfx-pass",
        _ => null,
    };

    private static OpcUaSourceOptions Load(string yaml) =>
        Assert.IsType<OpcUaSourceConfig>(Assert.Single(EdgeConfigLoader.Parse(yaml, "edge.yaml", Env).Sources)).Options;

    [Fact]
    public void Parse_SignAndEncryptWithPolicy_ModePolicyAndDefaultPkiUnderDataDir()
    {
        var config = EdgeConfigLoader.Parse(Secure, "edge.yaml", Env);
        var options = Assert.IsType<OpcUaSourceConfig>(Assert.Single(config.Sources)).Options;

        Assert.Equal(new OpcUaSecurity(MessageSecurityMode.SignAndEncrypt, SecurityPolicies.Basic256Sha256), options.Security);
        Assert.Equal("Basic256Sha256 SignAndEncrypt", options.Security.ToString());
        Assert.Equal(Path.Combine("/var/lib/te", "pki"), options.PkiPath);
        Assert.Equal("urn:telemetry:edge:edge-7", options.ApplicationUri);
        Assert.Equal("Telemetry edge edge-7", options.ApplicationName);
        Assert.Equal(new UserNameIdentity("operator", "secret"), options.Identity);
        Assert.Equal(new OpcUaClientSettings(options.PkiPath!, options.ApplicationUri, options.ApplicationName), config.OpcUa);
    }

    [Fact]
    public void Parse_OpcUaSection_PkiApplicationUriAndNameForEverySource()
    {
        var yaml = Secure.Replace("sources:\n", """
            opcua:
              pki: /srv/edge-pki
              application_uri: urn:acme:plant-a:edge
              application_name: Plant A edge
            sources:

            """, StringComparison.Ordinal);

        var options = Load(yaml);

        Assert.Equal(("/srv/edge-pki", "urn:acme:plant-a:edge", "Plant A edge"), (options.PkiPath, options.ApplicationUri, options.ApplicationName));
    }

    [Theory]
    [InlineData("{ mode: Sign }", MessageSecurityMode.Sign, null)]
    [InlineData("{ mode: signandencrypt, policy: aes256_sha256_rsapss }", MessageSecurityMode.SignAndEncrypt, SecurityPolicies.Aes256Sha256RsaPss)]
    [InlineData("{ mode: sign-and-encrypt, policy: Aes128_Sha256_RsaOaep }", MessageSecurityMode.SignAndEncrypt, SecurityPolicies.Aes128Sha256RsaOaep)]
    [InlineData("{ mode: Sign, policy: \"http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256\" }", MessageSecurityMode.Sign, SecurityPolicies.Basic256Sha256)]
    public void Parse_SecuritySpellings_ModeAndPolicy(string security, MessageSecurityMode mode, string? policy)
    {
        var options = Load(Secure.Replace("    security:\n      mode: SignAndEncrypt\n      policy: Basic256Sha256\n", $"    security: {security}\n", StringComparison.Ordinal));

        Assert.Equal(new OpcUaSecurity(mode, policy), options.Security);
    }

    [Theory]
    [InlineData("security: none")]
    [InlineData("security: { mode: None }")]
    [InlineData("security: { mode: None, policy: None }")]
    [InlineData("")]
    public void Parse_NoSecurity_NoneAndStillNamesThePki(string security)
    {
        var options = Load(Secure.Replace("    security:\n      mode: SignAndEncrypt\n      policy: Basic256Sha256\n", security.Length == 0 ? string.Empty : $"    {security}\n", StringComparison.Ordinal));

        Assert.Same(OpcUaSecurity.None, options.Security);
        Assert.True(options.Security.IsNone);
        Assert.Equal(Path.Combine("/var/lib/te", "pki"), options.PkiPath);
    }

    [Fact]
    public void Parse_DeprecatedPolicyAllowed_Accepted()
    {
        var options = Load(Secure.Replace("policy: Basic256Sha256", "policy: Basic256\n      allow_deprecated: true", StringComparison.Ordinal));

        Assert.Equal(new OpcUaSecurity(MessageSecurityMode.SignAndEncrypt, SecurityPolicies.Basic256, AllowDeprecated: true), options.Security);
    }

    [Fact]
    public void Parse_UserCertificatePemAndPfx_X509Identity()
    {
        using var dir = new TempDirectory("opcua-user-cert");
        using var user = ApplicationCertificateFactory.Create("urn:test:user:alice", "alice", []);
        File.WriteAllText(dir.Combine("alice.pem"), user.ExportCertificatePem());
        File.WriteAllText(dir.Combine("alice.key"), user.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(dir.Combine("alice.pfx"), user.Export(X509ContentType.Pkcs12, "pfx-pass"));
        var withoutUser = Secure.Replace("    username: operator\n    password: { env: PLC_PASSWORD }\n", string.Empty, StringComparison.Ordinal);

        var pem = Load(withoutUser.Replace("    machine:", $"    user_certificate: {{ cert: {dir.Combine("alice.pem")}, key: {dir.Combine("alice.key")} }}\n    machine:", StringComparison.Ordinal));
        var pfx = Load(withoutUser.Replace("    machine:", $"    user_certificate: {{ pfx: {dir.Combine("alice.pfx")}, password: {{ env: PFX_PASSWORD }} }}\n    machine:", StringComparison.Ordinal));

        Assert.Equal(user.Thumbprint, Assert.IsType<X509Identity>(pem.Identity).Certificate.Thumbprint);
        Assert.True(((X509Identity)pem.Identity).Certificate.HasPrivateKey);
        Assert.Equal(user.Thumbprint, Assert.IsType<X509Identity>(pfx.Identity).Certificate.Thumbprint);
        Assert.Contains("certificate " + user.Thumbprint, pem.SettingsKey, StringComparison.Ordinal);
    }

    [Fact]
    public void Fingerprint_SecurityOrApplicationUriChanged_Differs()
    {
        var first = EdgeConfigLoader.Parse(Secure, "edge.yaml", Env).Sources[0];
        var same = EdgeConfigLoader.Parse(Secure, "edge.yaml", Env).Sources[0];
        var sign = EdgeConfigLoader.Parse(Secure.Replace("mode: SignAndEncrypt", "mode: Sign", StringComparison.Ordinal), "edge.yaml", Env).Sources[0];
        var uri = EdgeConfigLoader.Parse(Secure.Replace("sources:\n", "opcua: { application_uri: \"urn:other\" }\nsources:\n", StringComparison.Ordinal), "edge.yaml", Env).Sources[0];

        Assert.Equal(SourceFingerprint.Of(first), SourceFingerprint.Of(same));
        Assert.NotEqual(SourceFingerprint.Of(first), SourceFingerprint.Of(sign));
        Assert.NotEqual(SourceFingerprint.Of(first), SourceFingerprint.Of(uri));
    }

    public static TheoryData<string, string, string, string> BrokenConfigs => new()
    {
        { "Sign with policy None", "mode: SignAndEncrypt\n      policy: Basic256Sha256", "mode: Sign\n      policy: None", "edge.yaml:8:15: sources[0].security.policy: mode Sign needs a signing policy, not None; expected one of: Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss" },
        { "policy with mode None", "mode: SignAndEncrypt", "mode: None", "edge.yaml:8:15: sources[0].security.policy: policy Basic256Sha256 needs mode Sign or SignAndEncrypt" },
        { "unknown policy lists the valid ones", "policy: Basic256Sha256", "policy: Basic512", "edge.yaml:8:15: sources[0].security.policy: 'Basic512' is not a security policy; expected one of: Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss, None." },
        { "unknown mode lists the valid ones", "mode: SignAndEncrypt", "mode: Encrypt", "edge.yaml:7:13: sources[0].security.mode: 'Encrypt' is not a security mode; expected one of: None, Sign, SignAndEncrypt." },
        { "mode missing", "      mode: SignAndEncrypt\n", "", "edge.yaml:6:5: sources[0].security: 'mode' is missing; expected None, Sign or SignAndEncrypt." },
        { "deprecated policy", "policy: Basic256Sha256", "policy: Basic128Rsa15", "edge.yaml:8:15: sources[0].security.policy: Basic128Rsa15 is deprecated (SHA-1, OPC 10000-7) and refused; use one of: Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss, or add allow_deprecated: true" },
        { "unknown key in security", "      policy: Basic256Sha256\n", "      policy: Basic256Sha256\n      polcy: x\n", "edge.yaml:9:7: sources[0].security.polcy: unknown key; expected one of: allow_deprecated, mode, policy." },
        { "allow_deprecated not a bool", "      policy: Basic256Sha256\n", "      policy: Basic256Sha256\n      allow_deprecated: maybe\n", "edge.yaml:9:25: sources[0].security.allow_deprecated: 'maybe' is not true or false." },
        { "security as a list", "    security:\n      mode: SignAndEncrypt\n      policy: Basic256Sha256\n", "    security: [sign]\n", "edge.yaml:6:5: sources[0].security: expected a single value" },
        { "username and user certificate", "    machine: press-01\n", "    user_certificate: { cert: a.pem, key: a.key }\n    machine: press-01\n", "edge.yaml:11:5: sources[0].user_certificate: give either username + password or user_certificate, not both." },
        { "user certificate without key", "    username: operator\n    password: { env: PLC_PASSWORD }\n", "    user_certificate: { cert: /no/such.pem }\n", "edge.yaml:9:5: sources[0].user_certificate: 'key' is missing; expected the PEM private key" },
        { "user certificate file missing", "    username: operator\n    password: { env: PLC_PASSWORD }\n", "    user_certificate: { cert: /no/such.pem, key: /no/such.key }\n", "edge.yaml:9:31: sources[0].user_certificate.cert: the file /no/such.pem does not exist." },
        { "user certificate pfx password inline", "    username: operator\n    password: { env: PLC_PASSWORD }\n", "    user_certificate: { pfx: /etc/hostname, password: pw }\n", "edge.yaml:9:55: sources[0].user_certificate.password: put secrets in an environment variable" },
        { "application uri not absolute", "sources:\n", "opcua: { application_uri: edge-7 }\nsources:\n", "edge.yaml:2:27: opcua.application_uri: 'edge-7' is not an absolute URI; expected e.g. urn:telemetry:edge:edge-7" },
        { "unknown key in opcua", "sources:\n", "opcua: { pki_dir: /x }\nsources:\n", "edge.yaml:2:10: opcua.pki_dir: unknown key; expected one of: application_name, application_uri, pki." },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public void Parse_BrokenSecurity_NamesLineAndKey(string what, string oldText, string newText, string expected)
    {
        Assert.Contains(oldText, Secure, StringComparison.Ordinal);
        var yaml = Secure.Replace(oldText, newText, StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => EdgeConfigLoader.Parse(yaml, "edge.yaml", Env));

        Assert.True(error.Message.StartsWith(expected, StringComparison.Ordinal), $"{what}: {error.Message}");
    }
}
