// The synthetic import set behind testing::GoodFiles(). Every name, id and
// value is invented.
#include "imports/test_util.h"

namespace backpack::imports::testing {

FileSet GoodFiles() {
  FileSet files;
  files["manifest.csv"] =
      "propertyName,value\n"
      "manifest.version,1.0\n"
      "oneroster.version,1.1\n"
      "file.academicSessions,bulk\n"
      "file.categories,absent\n"
      "file.classes,bulk\n"
      "file.courses,bulk\n"
      "file.demographics,bulk\n"
      "file.enrollments,bulk\n"
      "file.orgs,bulk\n"
      "file.users,bulk\n"
      "source.systemName,Synthetic SIS\n";
  files["orgs.csv"] =
      "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
      "district-1,,,Example District,district,D1,\n"
      "school-1,active,2024-08-01T00:00:00.000Z,Example Middle School,school,S1,district-1\n";
  files["academicSessions.csv"] =
      "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n"
      "year-2025,,,2024-2025,schoolYear,2024-08-15,2025-06-10,,2025\n"
      "term-1,,,Fall,term,2024-08-15,2024-12-20,year-2025,2025\n";
  files["courses.csv"] =
      "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,"
      "subjects,subjectCodes\n"
      "course-math7,,,year-2025,Math 7,M7,07,school-1,Math,\n";
  files["classes.csv"] =
      "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,"
      "schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n"
      "class-math7a,,,Math 7 A,07,course-math7,M7A,scheduled,Room "
      "101,school-1,term-1,Math,,\"1,2\"\n";
  files["users.csv"] =
      "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,"
      "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
      "stu-1,,,true,school-1,student,stu1,,Testa,Student,,1001,,,,guard-1,07,\n"
      "stu-2,,,true,school-1,student,stu2,,Sample,Pupil,,1002,,,,,\"KG,09\",\n"
      "tch-1,,,true,school-1,teacher,tch1,,Demo,Teacher,,,teacher@example.org,,,,,\n"
      "guard-1,,,true,school-1,guardian,guard1,,Fake,Parent,,,parent@example.org,,555-0100,stu-1,,"
      "hunter2\n"
      "adm-1,,,false,district-1,administrator,adm1,,Mock,Admin,,,,,,,,\n";
  files["enrollments.csv"] =
      "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,"
      "beginDate,endDate\n"
      "enr-1,,,class-math7a,school-1,stu-1,student,false,2024-08-15,2025-06-10\n"
      "enr-2,,,class-math7a,school-1,tch-1,teacher,true,,\n";
  files["demographics.csv"] =
      "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
      "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
      "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,"
      "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus\n"
      "stu-1,,,2012-03-04,female,false,false,false,false,true,false,false,US,OR,Exampleville,\n";
  files["attendance.csv"] =
      "studentSourcedId,date,status,excused,reason\n"
      "stu-1,2024-09-03,absent,true,Illness\n"
      "stu-2,2024-09-04,tardy,false,\n";
  files["assessments.csv"] =
      "studentSourcedId,date,assessment,subject,score,percentile,performanceLevel\n"
      "stu-1,2024-10-01,Fall Benchmark,Math,212.5,64,Meets\n";
  files["grades.csv"] =
      "studentSourcedId,classSourcedId,term,grade,date\n"
      "stu-1,class-math7a,Q1,B+,2024-11-01\n";
  files["services.csv"] =
      "studentSourcedId,service,provider,startDate,endDate\n"
      "stu-1,Reading support,Specialist A,2024-09-10,\n";
  files["teams.csv"] =
      "studentSourcedId,activity,season,coach\n"
      "stu-2,Chess club,Fall 2024,Coach B\n";
  files["student_voice.csv"] =
      "studentSourcedId,submittedAt,prompt,answer\n"
      "stu-1,2024-09-20T14:05:00Z,What helps you learn?,\"Quiet time, and\n"
      "\"\"worked\"\" examples\"\n"
      "stu-2,2024-09-21T08:00:00-07:00,What helps you learn?,Friends\n";
  return files;
}

}  // namespace backpack::imports::testing
