using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace WaveFlow.Core.Serialization.PyTorch;

/// <summary>
/// A pickle virtual machine (protocols 0–2, plus the few protocol 3–5 opcodes that carry data) that
/// builds plain data and executes nothing. Globals are checked against <see cref="PickleAllowList"/>
/// the moment the GLOBAL opcode names them; classes and functions are never imported.
/// Persistent ids (how torch refers to storages and, in the legacy format, to module classes)
/// are handed to the caller's <c>persistentLoad</c>.
/// </summary>
internal sealed class RestrictedUnpickler(Stream stream, string path, Func<object?, object?> persistentLoad)
{
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private readonly Stream _in = stream;

    /// <summary>Runs one pickle up to and including its STOP opcode; the stream is left just after it.</summary>
    public object? Load()
    {
        try { return Run(); }
        catch (EndOfStreamException) { throw WaveFlowException.ForFile(path, "truncated: the pickle ends before its STOP opcode"); }
        catch (InvalidCastException) { throw WaveFlowException.ForFile(path, "malformed pickle: an opcode found the wrong kind of value on the stack"); }
        catch (ArgumentOutOfRangeException) { throw WaveFlowException.ForFile(path, "malformed pickle: stack underflow"); }
        catch (Exception e) when (e is FormatException or OverflowException)
        { throw WaveFlowException.ForFile(path, "malformed pickle: a number in the pickle cannot be read"); }
    }

    private object? Run()
    {
        while (true)
        {
            long at = _in.CanSeek ? _in.Position : -1;
            int op = _in.ReadByte();
            if (op < 0) throw new EndOfStreamException();
            switch ((char)op)
            {
                case '\x80': ReadBytes(1); break;                        // PROTO n
                case '\x95': ReadBytes(8); break;                        // FRAME length (framing is only a hint)
                case '.': return Pop();                                  // STOP
                case '(': _marks.Push(_stack.Count); break;              // MARK
                case '0': Pop(); break;                                  // POP
                case '1': PopMark(); break;                              // POP_MARK
                case '2': Push(_stack[^1]); break;                       // DUP
                case 'N': Push(null); break;
                case '\x88': Push(true); break;
                case '\x89': Push(false); break;
                case 'I': Push(ParseIntLine(ReadNumberLine())); break;         // INT (text; "00"/"01" are False/True)
                case 'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
                case 'K': Push((long)ReadBytes(1)[0]); break;
                case 'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
                case 'L': Push(Integer(BigInteger.Parse(ReadNumberLine().TrimEnd('L'), CultureInfo.InvariantCulture))); break;
                case '\x8a': Push(Integer(new BigInteger(ReadBytes(ReadBytes(1)[0]), isUnsigned: false, isBigEndian: false))); break; // LONG1
                case '\x8b': Push(Integer(new BigInteger(ReadBytes(ReadLength(4)), isUnsigned: false, isBigEndian: false))); break;   // LONG4
                case 'F': Push(double.Parse(ReadNumberLine(), CultureInfo.InvariantCulture)); break;
                case 'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT is big-endian
                // Python 2 byte strings: decoded as Latin-1 so that every byte survives.
                case 'S': Push(Unquote(ReadLine())); break;
                case 'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(4)))); break;
                case 'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadBytes(1)[0]))); break;
                case 'V': Push(ReadLine()); break;                       // UNICODE (raw-unicode-escape; ASCII in practice)
                case 'X': Push(Encoding.UTF8.GetString(ReadBytes(ReadLength(4)))); break;
                case '\x8c': Push(Encoding.UTF8.GetString(ReadBytes(ReadBytes(1)[0]))); break;
                case '\x8d': Push(Encoding.UTF8.GetString(ReadBytes(ReadLength(8)))); break;
                case 'B': Push(ReadBytes(ReadLength(4))); break;
                case 'C': Push(ReadBytes(ReadBytes(1)[0])); break;
                case '\x8e': Push(ReadBytes(ReadLength(8))); break;
                case ')': Push(Array.Empty<object?>()); break;
                case 't': Push(PopMark().ToArray()); break;
                case '\x85': { var a = Pop(); Push(new[] { a }); break; }
                case '\x86': { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
                case '\x87': { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
                case ']': Push(new List<object?>()); break;
                case 'l': Push(PopMark()); break;
                case 'a': { var v = Pop(); AsList(_stack[^1]).Add(v); break; }
                case 'e': { var items = PopMark(); AsList(_stack[^1]).AddRange(items); break; }
                case '}': Push(new PickleDict()); break;
                case 'd': { var items = PopMark(); var d = new PickleDict(); SetItems(d, items); Push(d); break; }
                case 's': { var v = Pop(); var k = Pop(); SetItems(AsDict(_stack[^1]), [k, v]); break; }
                case 'u': { var items = PopMark(); SetItems(AsDict(_stack[^1]), items); break; }
                case '\x8f': Push(new PickleSet()); break;
                case '\x90': { var items = PopMark(); ((PickleSet)_stack[^1]!).Items.AddRange(items); break; }
                case '\x91': { var s = new PickleSet(); s.Items.AddRange(PopMark()); Push(s); break; }
                case 'g': Push(Recall(long.Parse(ReadNumberLine(), CultureInfo.InvariantCulture))); break;
                case 'h': Push(Recall(ReadBytes(1)[0])); break;
                case 'j': Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break;
                case 'p': _memo[long.Parse(ReadNumberLine(), CultureInfo.InvariantCulture)] = _stack[^1]; break;
                case 'q': _memo[ReadBytes(1)[0]] = _stack[^1]; break;
                case 'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = _stack[^1]; break;
                case '\x94': _memo[_memo.Count] = _stack[^1]; break;     // MEMOIZE
                case 'c': { var module = ReadLine(); var name = ReadLine(); Push(Global(module, name)); break; }
                case '\x93': { var name = (string)Pop()!; var module = (string)Pop()!; Push(Global(module, name)); break; }
                case 'R': { var args = AsTuple(Pop()); var f = Pop(); Push(PickleAllowList.Call(f, args, path)); break; }
                case '\x81': { var args = AsTuple(Pop()); var cls = Pop(); Push(PickleAllowList.New(AsClass(cls), args, path)); break; }
                case '\x92': { Pop(); var args = AsTuple(Pop()); var cls = Pop(); Push(PickleAllowList.New(AsClass(cls), args, path)); break; } // NEWOBJ_EX (kwargs ignored)
                case 'b': { var state = Pop(); Build(_stack[^1], state); break; }
                case 'P': Push(persistentLoad(ReadLine())); break;
                case 'Q': Push(persistentLoad(Pop())); break;
                default:
                    throw WaveFlowException.ForFile(path, $"pickle opcode 0x{op:x2} at byte {at} is not supported (only data-carrying opcodes are)");
            }
        }
    }

    private PickleClass Global(string module, string name)
    {
        // The allow-list is enforced here, before the global is used for anything.
        if (!PickleAllowList.IsAllowed(module, name))
            throw WaveFlowException.ForFile(path, $"pickle references the global {module}.{name}, which is not on the allow-list (refused; nothing was executed)");
        return new PickleClass(module, name);
    }

    private void Build(object? target, object? state)
    {
        switch (target)
        {
            case PickleObject o:
                // State may be a (dict, slots) pair; torch modules use a plain __dict__.
                if (state is object?[] { Length: 2 } pair && (pair[0] is PickleDict or null) && pair[1] is PickleDict or null)
                    state = Merge(pair[0] as PickleDict, pair[1] as PickleDict);
                o.State = o.State is PickleDict old && state is PickleDict add ? Merge(old, add) : state;
                break;
            case PickleDict d: d.State = state; break;                 // e.g. a state dict's _metadata
            case TorchTensor: break;                                   // tensor attributes (none needed)
            default: throw WaveFlowException.ForFile(path, $"malformed pickle: BUILD on a {PickleAllowList.Describe(target)}");
        }
    }

    private static PickleDict Merge(PickleDict? a, PickleDict? b)
    {
        var d = new PickleDict();
        foreach (var (k, v) in a ?? new PickleDict()) d[k] = v;
        foreach (var (k, v) in b ?? new PickleDict()) d[k] = v;
        return d;
    }

    private void SetItems(PickleDict d, List<object?> items)
    {
        if (items.Count % 2 != 0) throw WaveFlowException.ForFile(path, "malformed pickle: odd number of dict items");
        for (int i = 0; i < items.Count; i += 2)
            d[items[i] ?? throw WaveFlowException.ForFile(path, "pickle uses None as a dict key, which is not supported")] = items[i + 1];
    }

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _stack.Count == _marks.Peek()))
            throw WaveFlowException.ForFile(path, "malformed pickle: stack underflow");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw WaveFlowException.ForFile(path, "malformed pickle: no MARK on the stack");
        int start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private object? Recall(long key) =>
        _memo.TryGetValue(key, out var v) ? v : throw WaveFlowException.ForFile(path, $"malformed pickle: memo entry {key} is read before it is written");

    private object?[] AsTuple(object? o) => o as object?[] ?? throw WaveFlowException.ForFile(path, $"malformed pickle: expected a tuple of arguments, found a {PickleAllowList.Describe(o)}");
    private PickleClass AsClass(object? o) => o as PickleClass ?? throw WaveFlowException.ForFile(path, $"malformed pickle: NEWOBJ on a {PickleAllowList.Describe(o)}");
    private List<object?> AsList(object? o) => o as List<object?> ?? throw WaveFlowException.ForFile(path, $"malformed pickle: APPEND to a {PickleAllowList.Describe(o)}");
    private PickleDict AsDict(object? o) => o as PickleDict ?? throw WaveFlowException.ForFile(path, $"malformed pickle: SETITEM on a {PickleAllowList.Describe(o)}");

    private static object Integer(BigInteger v) => v >= long.MinValue && v <= long.MaxValue ? (long)v : v;

    private static object ParseIntLine(string s) => s switch
    {
        "00" => false,
        "01" => true,
        _ => Integer(BigInteger.Parse(s, CultureInfo.InvariantCulture)),
    };

    private static string Unquote(string s) =>
        s.Length >= 2 && (s[0] == '\'' || s[0] == '"') && s[^1] == s[0] ? s[1..^1] : s;

    private int ReadLength(int width)
    {
        long n = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)) : BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));
        // Refuse lengths past the end of the file before allocating for them.
        if (n < 0 || n > int.MaxValue || (_in.CanSeek && n > _in.Length - _in.Position))
            throw new EndOfStreamException();
        return (int)n;
    }

    private byte[] ReadBytes(int n)
    {
        var buffer = new byte[n];
        _in.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>Python refuses to convert integers of more than 4300 digits (sys.int_info.default_max_str_digits);
    /// the same bound keeps a damaged text number from costing quadratic parsing time.</summary>
    private const int MaxNumberDigits = 4300;

    private string ReadNumberLine()
    {
        string line = ReadLine();
        if (line.Length > MaxNumberDigits) throw WaveFlowException.ForFile(path, $"malformed pickle: a text number of {line.Length} characters");
        return line;
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            int b = _in.ReadByte();
            if (b < 0) throw new EndOfStreamException();
            if (b == '\n') break;
            bytes.Add((byte)b);
        }
        if (bytes.Count > 0 && bytes[^1] == '\r') bytes.RemoveAt(bytes.Count - 1);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
