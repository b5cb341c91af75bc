# Stands in for "another module" in the dependency-isolation tests: it bundles its own, older copies of
# MySqlConnector (2.4.0), Dapper (2.0.35) and the Microsoft.Extensions abstractions MySqlConnector 2.4.0
# names, and loads them with LoadFrom into the default load context, as many modules do.
# Building tests/AutomateAudit.Sandbox copies this file and those assemblies into .build/OtherDbModule/.
foreach ($name in 'Microsoft.Extensions.DependencyInjection.Abstractions', 'Microsoft.Extensions.Logging.Abstractions', 'MySqlConnector', 'Dapper') {
    $null = [System.Reflection.Assembly]::LoadFrom((Join-Path $PSScriptRoot "$name.dll"))
}

function Invoke-OtherDbQuery {
    <#
    .SYNOPSIS
        Opens a MySqlConnection with the bundled MySqlConnector and runs a scalar query through the bundled Dapper.
    #>
    param(
        [Parameter(Mandatory = $true)] [string] $ConnectionString,
        [string] $Query = 'SELECT 42'
    )
    $connection = New-Object -TypeName MySqlConnector.MySqlConnection -ArgumentList $ConnectionString
    try {
        $connection.Open()
        $value = [Dapper.SqlMapper]::ExecuteScalar($connection, $Query, $null, $null, $null, $null)
        [pscustomobject]@{
            Value                 = $value
            MySqlConnectorVersion = $connection.GetType().Assembly.GetName().Version.ToString()
            MySqlConnectorPath    = $connection.GetType().Assembly.Location
            DapperVersion         = [Dapper.SqlMapper].Assembly.GetName().Version.ToString()
        }
    }
    finally {
        $connection.Dispose()
    }
}

Export-ModuleMember -Function Invoke-OtherDbQuery
