using System.Buffers;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Tests.Encoding;

internal delegate void WriteAction(ref UaBinaryWriter writer);

internal delegate T ReadFunc<out T>(ref UaBinaryReader reader);

internal static class Codec
{
    public static byte[] Encode(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new UaBinaryWriter(buffer);
        write(ref writer);
        return buffer.WrittenSpan.ToArray();
    }

    public static T Decode<T>(byte[] bytes, ReadFunc<T> read, UaLimits? limits = null)
    {
        var reader = new UaBinaryReader(bytes, limits);
        var value = read(ref reader);
        Assert.Equal(0, reader.Remaining);
        return value;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
}
