#include "projections/intake/intake_test_data.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <optional>
#include <string_view>

#include "core/crypto.h"

namespace backpack::intake::testing {

imports::FileSet SmallDistrict() {
  imports::FileSet f;
  f["manifest.csv"] =
      "propertyName,value\n"
      "manifest.version,1.0\n"
      "oneroster.version,1.1\n"
      "file.academicSessions,bulk\n"
      "file.classes,bulk\n"
      "file.courses,bulk\n"
      "file.demographics,bulk\n"
      "file.enrollments,bulk\n"
      "file.orgs,bulk\n"
      "file.users,bulk\n";
  f["orgs.csv"] =
      "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
      "dist-9,,,Synthetic Unified District,district,D9,\n"
      "sch-a,,,Alderbrook Middle School,school,SA,dist-9\n"
      "sch-b,,,Birchfield Elementary,school,SB,dist-9\n";
  f["academicSessions.csv"] =
      "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n"
      "yr-26,,,2025-2026,schoolYear,2025-08-25,2026-06-12,,2026\n"
      "t1-26,,,Fall,term,2025-08-25,2025-12-19,yr-26,2026\n";
  f["courses.csv"] =
      "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,"
      "subjects,subjectCodes\n"
      "crs-sci7,,,yr-26,Science 7,SCI7,07,sch-a,Science,\n";
  f["classes.csv"] =
      "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,"
      "schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n"
      "cls-sci7a,,,Science 7 A,07,crs-sci7,SCI7A,scheduled,Lab 2,sch-a,t1-26,Science,,3\n";
  f["users.csv"] =
      "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,"
      "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
      "s-101,,,true,sch-a,student,zq101,,Zephyrine,Quillfeather,,90101,,,,g-201,07,\n"
      "s-102,,,true,sch-a,student,oh102,,Ottoline,Hazelgrove,,90102,,,,,07,\n"
      "s-103,,,true,sch-b,student,bm103,,Barnaby,Marchbanks,,90103,,,,g-202,03,\n"
      "t-301,,,true,sch-a,teacher,tfenwick,,Tamsin,Fenwicke,,,tf@example.org,,,,,\n"
      "g-201,,,true,sch-a,parent,gquill,,Ignatius,Quillfeather,,,gq@example.org,,555-0101,s-101,,\n"
      "g-202,,,true,sch-b,guardian,gmarch,,Perpetua,Marchbanks,,,,,555-0102,s-103,,\n";
  f["enrollments.csv"] =
      "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,"
      "beginDate,endDate\n"
      "e-1,,,cls-sci7a,sch-a,s-101,student,false,2025-08-25,\n"
      "e-2,,,cls-sci7a,sch-a,s-102,student,false,2025-08-25,\n"
      "e-3,,,cls-sci7a,sch-a,t-301,teacher,true,,\n";
  f["demographics.csv"] =
      "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
      "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
      "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,"
      "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus\n"
      "s-101,,,2013-05-06,female,,,,,,,false,US,WA,Dunmore Flats,\n";
  f["attendance.csv"] =
      "studentSourcedId,date,status,excused,reason\n"
      "s-101,2025-09-03,absent,true,Illness\n"
      "s-101,2025-09-04,tardy,false,Bus late\n"
      "s-102,2025-09-03,absent,false,\n";
  f["assessments.csv"] =
      "studentSourcedId,date,assessment,subject,score,percentile,performanceLevel\n"
      "s-101,2025-10-01,Fall Benchmark,Math,212.5,64,At Benchmark\n";
  f["grades.csv"] =
      "studentSourcedId,classSourcedId,term,grade,date\n"
      "s-101,cls-sci7a,Q1,B+,2025-11-01\n";
  f["services.csv"] =
      "studentSourcedId,service,provider,startDate,endDate\n"
      "s-101,Reading support,Specialist R,2025-09-10,\n"
      "s-103,Speech therapy,Specialist S,2025-09-01,2025-10-31\n";
  f["teams.csv"] =
      "studentSourcedId,activity,season,coach\n"
      "s-102,Robotics club,Fall 2025,Coach K\n";
  f["student_voice.csv"] =
      "studentSourcedId,submittedAt,prompt,answer\n"
      "s-101,2025-09-20T14:05:00Z,What helps you learn?,Quiet mornings and diagrams\n";
  return f;
}

imports::FileSet SmallDistrictWithMoreStudents(int extra) {
  imports::FileSet files = SmallDistrict();
  for (int i = 0; i < extra; ++i) {
    const std::string number = std::to_string(500 + i);
    files["users.csv"] += "s-" + number + ",,,true,sch-a,student,u" + number +
                          ",,Synthetic,Student" + std::to_string(i) + ",,9" + number + ",,,,,07,\n";
  }
  return files;
}

imports::FileSet SmallDistrictWithFamilies(int extra) {
  imports::FileSet files = SmallDistrictWithMoreStudents(extra);
  for (int i = 0; i < extra; ++i) {
    const std::string number = std::to_string(500 + i);
    files["users.csv"] += "g-" + number + ",,,true,sch-a,parent,p" + number + ",,Synthetic,Parent" +
                          std::to_string(i) + ",,,,,,s-" + number + ",,\n";
    files["enrollments.csv"] +=
        "e-" + number + ",,,cls-sci7a,sch-a,s-" + number + ",student,false,2025-08-25,\n";
  }
  return files;
}

imports::FileSet Edit(imports::FileSet files, const std::string& file, const std::string& from,
                      const std::string& to) {
  std::string& content = files.at(file);
  size_t at = content.find(from);
  REQUIRE(at != std::string::npos);
  content.replace(at, from.size(), to);
  return files;
}

imports::FileSet DropLines(imports::FileSet files, const std::string& file,
                           const std::string& needle) {
  std::string kept;
  std::string_view content = files.at(file);
  while (!content.empty()) {
    size_t end = content.find('\n');
    std::string_view line = content.substr(0, end == std::string_view::npos ? end : end + 1);
    if (line.find(needle) == std::string_view::npos) kept += line;
    content.remove_prefix(line.size());
  }
  files[file] = kept;
  return files;
}

imports::FileSet DropColumn(imports::FileSet files, const std::string& file,
                            const std::string& column) {
  std::string kept;
  std::string_view content = files.at(file);
  std::optional<size_t> index;  // of `column`, from the header line
  while (!content.empty()) {
    size_t end = content.find('\n');
    std::string_view line = content.substr(0, end);
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
    std::vector<std::string_view> fields;
    for (size_t at = 0;;) {
      size_t comma = line.find(',', at);
      fields.push_back(line.substr(at, comma == std::string_view::npos ? comma : comma - at));
      if (comma == std::string_view::npos) break;
      at = comma + 1;
    }
    if (!index) {
      auto found = std::find(fields.begin(), fields.end(), column);
      REQUIRE(found != fields.end());
      index = found - fields.begin();
    }
    REQUIRE(*index < fields.size());
    fields.erase(fields.begin() + static_cast<std::ptrdiff_t>(*index));
    for (size_t i = 0; i < fields.size(); ++i) {
      kept += fields[i];
      kept += i + 1 < fields.size() ? ',' : '\n';
    }
  }
  files[file] = kept;
  return files;
}

imports::ImportSet ParseOk(const imports::FileSet& files) {
  REQUIRE(CryptoInit().ok());
  auto set = imports::ParseImportFiles(files);
  if (!set) FAIL(set.error().ToStatus().message());
  return std::move(*set);
}

void WriteFolder(const std::filesystem::path& dir, const imports::FileSet& files) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, content] : files) {
    std::ofstream(dir / name, std::ios::binary | std::ios::trunc) << content;
  }
}

std::vector<std::string> SmallDistrictStudentNames() {
  return {"Zephyrine", "Quillfeather", "Ottoline", "Hazelgrove", "Barnaby", "Marchbanks"};
}

}  // namespace backpack::intake::testing
