using System;
using System.IO;

namespace AutomateAudit.HelpGen
{
    /// <summary>./build.sh help: regenerates src/AutomateAudit/en-US/AutomateAudit.dll-Help.xml from docs/help/*.md.</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            string root = args.Length > 0 ? args[0] : Directory.GetCurrentDirectory();
            string output = Path.Combine(root, "src", "AutomateAudit", "en-US", "AutomateAudit.dll-Help.xml");
            try
            {
                string maml = MamlGenerator.Generate(typeof(AutomateAudit.Cmdlets.AuditDatabaseCmdlet).Assembly, Path.Combine(root, "docs", "help"));
                Directory.CreateDirectory(Path.GetDirectoryName(output));
                File.WriteAllText(output, maml);
                Console.WriteLine("Wrote " + output);
                return 0;
            }
            catch (InvalidOperationException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        }
    }
}
