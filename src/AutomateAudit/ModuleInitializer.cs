using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace AutomateAudit
{
    /// <summary>
    /// Loads the module's private dependencies (MySqlConnector, Dapper and their shims) from the
    /// "dependencies" subfolder so they never clash with other modules' copies in the same session.
    /// PowerShell 7: the dependencies live in a load context of their own, created through reflection
    /// because netstandard2.0 cannot name AssemblyLoadContext. Windows PowerShell 5.1: AssemblyResolve
    /// answers by simple name, ignoring versions, which stands in for the binding redirects a module
    /// cannot ship.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly Assembly Self = typeof(ModuleInitializer).Assembly;
        private static readonly string DependencyFolder =
            Path.Combine(Path.GetDirectoryName(Self.Location) ?? ".", "dependencies");
        private static readonly Dictionary<string, string> Dependencies = FindDependencies();
        private static readonly IsolatedLoadContext LoadContext = IsolatedLoadContext.TryCreate("AutomateAudit");

        public void OnImport()
        {
            AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
        }

        private static Dictionary<string, string> FindDependencies()
        {
            var found = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (Directory.Exists(DependencyFolder))
            {
                foreach (string path in Directory.GetFiles(DependencyFolder, "*.dll"))
                {
                    found[Path.GetFileNameWithoutExtension(path)] = path;
                }
            }
            return found;
        }

        private static bool IsOurs(Assembly requester)
        {
            if (requester == null || requester == Self) return true;
            string location;
            try { location = requester.Location; } catch (NotSupportedException) { return false; }
            return !string.IsNullOrEmpty(location)
                && string.Equals(Path.GetDirectoryName(location), DependencyFolder, StringComparison.OrdinalIgnoreCase);
        }

        private static Assembly ResolveDependency(object sender, ResolveEventArgs args)
        {
            string name = new AssemblyName(args.Name).Name;
            if (name == null || !Dependencies.TryGetValue(name, out string path) || !IsOurs(args.RequestingAssembly))
            {
                return null;
            }
            return LoadContext != null ? LoadContext.LoadFromAssemblyPath(path) : Assembly.LoadFrom(path);
        }

        /// <summary>An AssemblyLoadContext of our own on .NET (Core); null on .NET Framework.</summary>
        private sealed class IsolatedLoadContext
        {
            private readonly object _context;
            private readonly MethodInfo _loadFromAssemblyPath;

            private IsolatedLoadContext(Type contextType, string name)
            {
                ConstructorInfo ctor = contextType.GetConstructor(new[] { typeof(string), typeof(bool) });
                _context = ctor.Invoke(new object[] { name, false });
                _loadFromAssemblyPath = contextType.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) });
            }

            public static IsolatedLoadContext TryCreate(string name)
            {
                Type contextType = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext");
                return contextType == null ? null : new IsolatedLoadContext(contextType, name);
            }

            public Assembly LoadFromAssemblyPath(string path)
            {
                return (Assembly)_loadFromAssemblyPath.Invoke(_context, new object[] { path });
            }
        }
    }
}
