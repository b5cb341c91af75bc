using System;
using System.Reflection;

namespace AutomateAudit.Engine
{
    internal static class ModuleInfo
    {
        public static readonly string Version = typeof(ModuleInfo).Assembly.GetName().Version.ToString(3);
        public static readonly string Host = SafeMachineName();

        private static string SafeMachineName()
        {
            try { return Environment.MachineName; } catch (InvalidOperationException) { return "unknown"; }
        }
    }
}
