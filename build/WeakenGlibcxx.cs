using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks the GLIBCXX_3.4.32 version requirement of libLibTorchSharp.so as weak, when the system
/// libstdc++ does not provide that version. Works on ELF64 little-endian files only.
/// </summary>
public sealed class WaveFlowWeakenGlibcxx : Task
{
    private const string Needed = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 2;

    [Required]
    public string Directory { get; set; } = "";

    /// <summary>Patch even where this system's libstdc++ has the version: for packages that run elsewhere (the waveflow tool).</summary>
    public bool Always { get; set; }

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        if (!Always && SystemHasVersion())
        {
            Log.LogMessage(MessageImportance.Low, "System libstdc++ provides " + Needed + "; no patch needed.");
            return true;
        }
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            int changed = Weaken(bytes);
            if (changed < 0) { Log.LogWarning("Not an ELF64 little-endian file: " + file); continue; }
            if (changed == 0) continue;
            // Write beside, then replace: never edits a hard-linked NuGet cache copy in place.
            var tmp = file + ".patch.tmp";
            File.WriteAllBytes(tmp, bytes);
            File.Copy(tmp, file, true);
            File.Delete(tmp);
            Log.LogMessage(MessageImportance.High, "WaveFlow: marked " + Needed + " weak in " + file);
        }
        return !Log.HasLoggedErrors;
    }

    private static bool SystemHasVersion()
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        var pattern = Encoding.ASCII.GetBytes(Needed + "\0");
        foreach (var c in candidates)
        {
            if (!File.Exists(c)) continue;
            var data = File.ReadAllBytes(c);
            return IndexOf(data, pattern) >= 0;
        }
        return true; // unknown layout: leave the library as shipped
    }

    private static int IndexOf(byte[] data, byte[] pattern)
    {
        for (int i = 0; i + pattern.Length <= data.Length; i++)
        {
            int j = 0;
            while (j < pattern.Length && data[i + j] == pattern[j]) j++;
            if (j == pattern.Length) return i;
        }
        return -1;
    }

    /// <summary>Returns the number of entries changed, or -1 when the file is not ELF64 LE.</summary>
    internal static int Weaken(byte[] b)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
            return -1;
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        int changed = 0;
        for (int s = 0; s < shnum; s++)
        {
            int sh = (int)shoff + s * shentsize;
            if (BitConverter.ToUInt32(b, sh + 4) != ShtGnuVerneed) continue;
            int offset = (int)BitConverter.ToUInt64(b, sh + 0x18);
            int link = (int)BitConverter.ToUInt32(b, sh + 0x28);
            int strtab = (int)BitConverter.ToUInt64(b, (int)shoff + link * shentsize + 0x18);
            int vn = offset;
            while (true)
            {
                int cnt = BitConverter.ToUInt16(b, vn + 2);
                int aux = vn + (int)BitConverter.ToUInt32(b, vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    int name = strtab + (int)BitConverter.ToUInt32(b, aux + 8);
                    int end = Array.IndexOf(b, (byte)0, name);
                    if (Encoding.ASCII.GetString(b, name, end - name) == Needed)
                    {
                        ushort flags = BitConverter.ToUInt16(b, aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            flags |= VerFlgWeak;
                            b[aux + 4] = (byte)flags;
                            b[aux + 5] = (byte)(flags >> 8);
                            changed++;
                        }
                    }
                    int next = (int)BitConverter.ToUInt32(b, aux + 12);
                    if (next == 0) break;
                    aux += next;
                }
                int vnNext = (int)BitConverter.ToUInt32(b, vn + 12);
                if (vnNext == 0) break;
                vn += vnNext;
            }
        }
        return changed;
    }
}
