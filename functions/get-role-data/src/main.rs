use std::process::ExitCode;

fn main() -> ExitCode {
    api_startup::serve("get-role-data", |validator, request| async move {
        get_role_data::get_role_data(&validator, &request).await
    })
}
