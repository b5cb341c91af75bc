using System;
using System.IO;

namespace AutomateAudit.Testing
{
    public static class RepoPaths
    {
        public static string Root
        {
            get
            {
                string dir = AppContext.BaseDirectory;
                while (dir != null && !File.Exists(Path.Combine(dir, "AuditCmdlets.sln"))) dir = Path.GetDirectoryName(dir);
                return dir ?? throw new InvalidOperationException("Cannot find the repository root (AuditCmdlets.sln) above " + AppContext.BaseDirectory);
            }
        }

        /// <summary>The staged module manifest; building src/AutomateAudit stages it.</summary>
        public static string ModuleManifest
        {
            get
            {
                string path = Path.Combine(Root, "module", "AutomateAudit", "AutomateAudit.psd1");
                if (!File.Exists(path)) throw new InvalidOperationException("The module is not built: " + path + " is missing. Run ./build.sh build (or dotnet build AuditCmdlets.sln).");
                return path;
            }
        }
    }
}
