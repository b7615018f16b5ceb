use super::*;

fn tr(s: &str) -> TypeRef {
    TypeRef::parse(s).unwrap()
}

#[test]
fn typerefs_map_to_files() {
    let layout = ProjectLayout::new("/p");
    for (typeref, file) in [
        (
            "acme/TaxCalculator",
            "/p/.sfdx/tools/installed-packages/acme/classes/TaxCalculator.cls",
        ),
        (
            "__sfdc_trigger/acme/InvoiceTrigger",
            "/p/.sfdx/tools/installed-packages/acme/triggers/InvoiceTrigger.trigger",
        ),
        (
            "GlobexInvoiceService",
            "/p/force-app/main/default/classes/GlobexInvoiceService.cls",
        ),
        (
            "__sfdc_trigger/AccountTrigger",
            "/p/force-app/main/default/triggers/AccountTrigger.trigger",
        ),
    ] {
        let path = layout.path_for_typeref(typeref).unwrap();
        assert_eq!(path, PathBuf::from(file), "{typeref}");
    }
    assert_eq!(
        layout.path_for_typeref("acme/TaxCalculator$Rate").unwrap(),
        PathBuf::from("/p/.sfdx/tools/installed-packages/acme/classes/TaxCalculator.cls")
    );
}

#[test]
fn a_typeref_cannot_name_a_path_outside_the_project() {
    for bad in [
        "../x",
        "acme/../../x",
        "a/b/c",
        "",
        "acme/",
        "/A",
        "acme/A.cls",
    ] {
        assert_eq!(TypeRef::parse(bad), None, "{bad}");
    }
}

#[test]
fn writes_sources_meta_files_and_both_project_files() {
    let dir = tempfile::tempdir().unwrap();
    let layout = ProjectLayout::new(dir.path());
    let files = vec![
        SourceFile {
            typeref: tr("acme/TaxCalculator"),
            text: "public class TaxCalculator {}".into(),
        },
        SourceFile {
            typeref: tr("__sfdc_trigger/acme/InvoiceTrigger"),
            text: "trigger InvoiceTrigger on acme__Invoice__c (before insert) {}".into(),
        },
        SourceFile {
            typeref: tr("GlobexInvoiceService"),
            text: "public class GlobexInvoiceService {}".into(),
        },
    ];
    let packages = vec![InstalledPackage {
        namespace: "acme".into(),
        name: Some("Acme Billing".into()),
        version: Some("2.4.0.1".into()),
    }];
    let written = write(&layout, "globex-full", &files, &packages).unwrap();
    assert_eq!(written.package_counts(), (1, 1));
    assert_eq!(written.org_counts(), (1, 0));
    assert!(written.created_project_file);

    let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
    let json = |p: &str| serde_json::from_str::<serde_json::Value>(&read(p)).unwrap();
    let root = json("sfdx-project.json");
    assert_eq!(root["namespace"], "");
    assert_eq!(root["packageDirectories"][0]["path"], "force-app");
    let pkg = json(".sfdx/tools/installed-packages/acme/sfdx-project.json");
    assert_eq!(pkg["namespace"], "acme");
    assert_eq!(pkg["packageDirectories"][0]["package"], "Acme Billing");
    assert_eq!(
        read(".sfdx/tools/installed-packages/acme/classes/TaxCalculator.cls"),
        "public class TaxCalculator {}"
    );
    let meta = read(".sfdx/tools/installed-packages/acme/triggers/InvoiceTrigger.trigger-meta.xml");
    assert!(meta.contains("<ApexTrigger") && meta.contains("<apiVersion>61.0</apiVersion>"));
    let meta = read("force-app/main/default/classes/GlobexInvoiceService.cls-meta.xml");
    assert!(meta.contains("<ApexClass"));
}

#[test]
fn a_rerun_replaces_the_package_folder_and_keeps_the_users_project_file() {
    let dir = tempfile::tempdir().unwrap();
    let layout = ProjectLayout::new(dir.path());
    let file = |t: &str| SourceFile {
        typeref: tr(t),
        text: String::new(),
    };
    write(&layout, "p", &[file("acme/Old"), file("Mine")], &[]).unwrap();
    std::fs::write(dir.path().join("sfdx-project.json"), "{\"mine\": true}").unwrap();
    let written = write(&layout, "p", &[file("acme/New")], &[]).unwrap();
    assert!(!written.created_project_file);
    let pkg = layout.package_dir("acme").join("classes");
    assert!(pkg.join("New.cls").exists());
    assert!(
        !pkg.join("Old.cls").exists(),
        "stale package source left behind"
    );
    assert!(
        layout.path_for(&tr("Mine")).exists(),
        "the user's own files stay"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sfdx-project.json")).unwrap(),
        "{\"mine\": true}"
    );
}
