using System;
using System.IO;

namespace AutomateAudit.Endpoint.Tests.Linux
{
    /// <summary>A throwaway directory tree for fake /run, /dev and agent files.</summary>
    internal sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aa-linux-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Root);
        }

        public string Root { get; }

        public string Path(string relative) => System.IO.Path.Combine(Root, relative);

        public string Write(string relative, string text)
        {
            string p = Path(relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p));
            File.WriteAllText(p, text);
            return p;
        }

        public string WriteBytes(string relative, byte[] bytes)
        {
            string p = Path(relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p));
            File.WriteAllBytes(p, bytes);
            return p;
        }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
