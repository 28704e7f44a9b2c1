using System.Text;

namespace WaveFlow.Tests.Fuzz;

/// <summary>
/// Seeded, deterministic mutations of a valid file, as a hostile user or a damaged disk would make
/// them: bit flips, random and boundary bytes, boundary integers written over binary fields,
/// truncation, insertion, deletion and duplication of byte ranges, and, for the text inside
/// headers (JSON, npy dicts, pickled text numbers), numbers replaced by huge, negative,
/// fractional or wrongly typed values and fields removed. One to four of them are stacked.
/// </summary>
public sealed class Mutator(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly long[] BoundaryIntegers =
        [0, 1, -1, 2, 255, 256, 65535, 65536, int.MaxValue, int.MinValue, 1L << 31, uint.MaxValue, 1L << 32, 1L << 30, long.MaxValue, long.MinValue, 1L << 62];

    private static readonly string[] HostileTokens =
        ["-1", "0", "1.5", "1e3", "-0", "2147483648", "1073741824", "9223372036854775807", "99999999999999999999999",
         "[]", "[1, 2]", "[[1]]", "{}", "null", "true", "\"x\"", "\"\"", "NaN", "1e309", "-2147483649"];

    public byte[] Mutate(byte[] original)
    {
        var bytes = new List<byte>(original);
        int count = 1 + _random.Next(4);
        for (int i = 0; i < count && bytes.Count > 0; i++) MutateOnce(bytes);
        return [.. bytes];
    }

    private void MutateOnce(List<byte> b)
    {
        int at = _random.Next(b.Count);
        switch (_random.Next(12))
        {
            case 0: b[at] ^= (byte)(1 << _random.Next(8)); break;
            case 1: b[at] = (byte)_random.Next(256); break;
            case 2: b[at] = new byte[] { 0, 1, 0x7f, 0x80, 0xff }[_random.Next(5)]; break;
            case 3: // a boundary integer over 1, 2, 4 or 8 bytes, either byte order
            {
                int width = new[] { 1, 2, 4, 8 }[_random.Next(4)];
                var value = BitConverter.GetBytes(BoundaryIntegers[_random.Next(BoundaryIntegers.Length)]);
                if (_random.Next(2) == 0) Array.Reverse(value, 0, width);
                for (int k = 0; k < width && at + k < b.Count; k++) b[at + k] = value[k];
                break;
            }
            case 4: b.RemoveRange(at, b.Count - at); break;                                  // truncate
            case 5: b.InsertRange(at, Enumerable.Range(0, 1 + _random.Next(32)).Select(_ => (byte)_random.Next(256))); break;
            case 6: b.RemoveRange(at, Math.Min(b.Count - at, 1 + _random.Next(32))); break;
            case 7: // duplicate a range somewhere else
            {
                int length = Math.Min(b.Count - at, 1 + _random.Next(64));
                var chunk = b.GetRange(at, length);
                b.InsertRange(_random.Next(b.Count + 1), chunk);
                break;
            }
            case 8 or 9: ReplaceNumber(b); break;
            case 10: ReplaceToken(b); break;
            default: RemoveField(b); break;
        }
    }

    /// <summary>A run of ASCII digits (a shape, an offset, a length, a JSON value) becomes a hostile token.</summary>
    private void ReplaceNumber(List<byte> b)
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < b.Count; i++)
        {
            if (!char.IsAsciiDigit((char)b[i])) continue;
            int start = i;
            while (i < b.Count && char.IsAsciiDigit((char)b[i])) i++;
            runs.Add((start, i - start));
        }
        if (runs.Count == 0) { b[_random.Next(b.Count)] ^= 0x20; return; }
        var (s, n) = runs[_random.Next(runs.Count)];
        b.RemoveRange(s, n);
        b.InsertRange(s, Encoding.ASCII.GetBytes(HostileTokens[_random.Next(HostileTokens.Length)]));
    }

    /// <summary>A JSON-ish value (from after a ':' up to the next ',' or '}') becomes a hostile token.</summary>
    private void ReplaceToken(List<byte> b)
    {
        int colon = IndexAfter(b, (byte)':');
        if (colon < 0) { ReplaceNumber(b); return; }
        int end = colon + 1;
        while (end < b.Count && b[end] is not ((byte)',' or (byte)'}' or (byte)'\n')) end++;
        b.RemoveRange(colon + 1, end - colon - 1);
        b.InsertRange(colon + 1, Encoding.ASCII.GetBytes(" " + HostileTokens[_random.Next(HostileTokens.Length)]));
    }

    /// <summary>A "key": value pair disappears (from a quote up to the next comma).</summary>
    private void RemoveField(List<byte> b)
    {
        int quote = IndexAfter(b, (byte)'"');
        if (quote < 0) { b.RemoveAt(_random.Next(b.Count)); return; }
        int end = quote + 1;
        while (end < b.Count && b[end] != (byte)',') end++;
        b.RemoveRange(quote, Math.Min(b.Count, end + 1) - quote);
    }

    private int IndexAfter(List<byte> b, byte value)
    {
        int start = _random.Next(b.Count);
        int i = b.IndexOf(value, start);
        return i >= 0 ? i : b.IndexOf(value);
    }
}
