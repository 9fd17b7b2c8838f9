using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Telemetry.Edge.Configuration;

namespace Telemetry.Edge.Hosting;

/// <summary>
/// What a source's settings are, independent of where they stand in the file: two configs of a source with the
/// same fingerprint run the same way, so a reload leaves that source running (no gap in its data).
/// </summary>
public static class SourceFingerprint
{
    private static readonly JsonSerializerOptions Options = new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                static info =>
                {
                    foreach (var property in info.Properties)
                    {
                        if (property.PropertyType == typeof(ConfigLocation) || property.PropertyType == typeof(TimeProvider))
                        {
                            property.ShouldSerialize = static (_, _) => false;
                        }
                    }
                },
            },
        },
    };

    public static string Of(SourceConfig source)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            return source.GetType().FullName + ":" + JsonSerializer.Serialize(source, source.GetType(), Options);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException)
        {
            // A settings type the serializer cannot express: never treat two of them as equal (restart the source).
            return Guid.NewGuid().ToString("N");
        }
    }
}
