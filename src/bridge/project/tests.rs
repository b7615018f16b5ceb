//! Tests of the project index.
use super::*;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn layout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"force-app"}],"namespace":""}"#,
    );
    write(&root.join("force-app/main/default/classes/Mine.cls"), "");
    let pkg = root.join(".sfdx/tools/installed-packages/acme-billing");
    write(
        &pkg.join("sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"force-app"}],"namespace":"acme"}"#,
    );
    write(
        &pkg.join("force-app/main/default/classes/TaxCalculator.cls"),
        "",
    );
    write(
        &pkg.join("force-app/main/default/triggers/InvoiceTrigger.trigger"),
        "",
    );
    write(
        &pkg.join("force-app/main/default/objects/Tax_Rate__c/Tax_Rate__c.object-meta.xml"),
        "<CustomObject><customSettingsType>List</customSettingsType>\
         <visibility>Protected</visibility></CustomObject>",
    );
    write(
        &pkg.join("force-app/main/default/objects/Tax_Rate__c/fields/Rate__c.field-meta.xml"),
        "<CustomField><type>Percent</type></CustomField>",
    );
    write(
        &pkg.join("force-app/main/default/objects/Open__c/Open__c.object-meta.xml"),
        "<CustomObject><customSettingsType>List</customSettingsType>\
         <visibility>Public</visibility></CustomObject>",
    );
    dir
}

#[test]
fn maps_files_to_typerefs_and_back() {
    let dir = layout();
    let mut p = Project::load(dir.path()).unwrap();
    let pkg = dir
        .path()
        .join(".sfdx/tools/installed-packages/acme-billing/force-app/main/default");
    let class = pkg.join("classes/TaxCalculator.cls");
    assert_eq!(p.typeref_of(&class).unwrap(), "acme/TaxCalculator");
    assert_eq!(
        p.typeref_of(&pkg.join("triggers/InvoiceTrigger.trigger"))
            .unwrap(),
        "__sfdc_trigger/acme/InvoiceTrigger"
    );
    let mine = dir.path().join("force-app/main/default/classes/Mine.cls");
    assert_eq!(p.typeref_of(&mine).unwrap(), "Mine");
    assert_eq!(p.typeref_of(Path::new("/x/run.apex")).unwrap(), ANONYMOUS);
    assert!(
        p.typeref_of(Path::new("/x/notes.txt"))
            .unwrap_err()
            .contains("not Apex")
    );
    assert_eq!(
        p.path_of("ACME/taxcalculator$Inner").unwrap(),
        class.canonicalize().unwrap()
    );
    let settings = p.protected_settings();
    assert_eq!(settings.len(), 1, "{settings:?}");
    assert_eq!(settings[0].api_name, "acme__Tax_Rate__c");
    assert_eq!(settings[0].kind, "List");
    assert!(settings[0].confirmed);
    assert_eq!(settings[0].field_type("acme__Rate__c"), Some("Decimal"));
    assert_eq!(settings[0].field_type("SetupOwnerId"), Some("Id"));
    assert_eq!(settings[0].field_type("acme__Other__c"), None);
}

#[test]
fn a_file_outside_the_project_takes_the_nearest_namespace() {
    let dir = layout();
    let mut p = Project::load(dir.path()).unwrap();
    let other = tempfile::tempdir().unwrap();
    write(
        &other.path().join("sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"src"}],"namespace":"zed"}"#,
    );
    write(&other.path().join("src/classes/A.cls"), "");
    write(&other.path().join("src/classes/B.cls"), "");
    assert_eq!(
        p.typeref_of(&other.path().join("src/classes/A.cls"))
            .unwrap(),
        "zed/A"
    );
    // Its sibling is indexed too.
    assert!(p.path_of("zed/B").is_some());
}

#[test]
fn a_folder_without_sfdx_project_json_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let err = Project::load(dir.path()).unwrap_err();
    assert!(err.contains("no sfdx-project.json"), "{err}");
    assert!(err.contains("isvdbg setup"), "{err}");
}

#[test]
fn settings_read_by_package_code_are_candidates() {
    let dir = layout();
    let pkg = dir
        .path()
        .join(".sfdx/tools/installed-packages/acme-billing/force-app/main/default/classes");
    write(
        &pkg.join("Config.cls"),
        "public class Config {\n  Billing_Config__c c = Billing_Config__c.getInstance();\n  \
         Map<String, Tax_Rate__c> all = Tax_Rate__c.getAll();\n}",
    );
    write(
        &dir.path().join("force-app/main/default/classes/Own.cls"),
        "public class Own { Own_Setting__c s = Own_Setting__c.getOrgDefaults(); }",
    );
    let p = Project::load(dir.path()).unwrap();
    let names: Vec<(String, bool)> = p
        .protected_settings()
        .into_iter()
        .map(|s| (s.api_name, s.confirmed))
        .collect();
    assert_eq!(
        names,
        vec![
            ("acme__Billing_Config__c".to_owned(), false),
            ("acme__Tax_Rate__c".to_owned(), true),
        ]
    );
}

#[test]
fn paths_are_clean_without_resolving_links() {
    for (raw, want) in [
        ("/p/acme/./classes/X.cls", "/p/acme/classes/X.cls"),
        (
            "/p/acme/classes/../triggers/T.trigger",
            "/p/acme/triggers/T.trigger",
        ),
        ("/../x", "/x"),
        ("a/./b/../../..", ".."),
        ("./", "."),
    ] {
        assert_eq!(clean(Path::new(raw)), PathBuf::from(want), "{raw}");
    }
}

#[test]
fn a_package_whose_directory_is_dot_maps_to_clean_paths() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"force-app"}],"namespace":""}"#,
    );
    let pkg = root.join(".sfdx/tools/installed-packages/acme");
    write(
        &pkg.join("sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"."}],"namespace":"acme"}"#,
    );
    write(&pkg.join("classes/TaxCalculator.cls"), "");
    let p = Project::load(root).unwrap();
    let path = p.path_of("acme/TaxCalculator").unwrap();
    assert!(
        !path.to_string_lossy().contains("/./"),
        "{}",
        path.display()
    );
    assert!(path.ends_with(".sfdx/tools/installed-packages/acme/classes/TaxCalculator.cls"));
}
