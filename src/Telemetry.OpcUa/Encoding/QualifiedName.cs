using System.Globalization;

namespace Telemetry.OpcUa.Encoding;

/// <summary>A name qualified by a namespace index (OPC 10000-3 §8.3), e.g. a browse name.</summary>
public readonly record struct QualifiedName(ushort NamespaceIndex, string? Name)
{
    public override string ToString() => NamespaceIndex == 0 ? Name ?? string.Empty : $"{NamespaceIndex.ToString(CultureInfo.InvariantCulture)}:{Name}";
}

/// <summary>Human-readable text with an optional locale (OPC 10000-3 §8.5).</summary>
public readonly record struct LocalizedText(string? Locale, string? Text)
{
    public override string ToString() => Text ?? string.Empty;
}
