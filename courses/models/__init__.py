"""Course models: content (course.py), question bank and quizzes (quiz.py), attempts and progress
(attempt.py). Re-exported here so callers write ``from courses.models import Course``."""

from courses.models.attempt import Answer, Attempt, LessonProgress
from courses.models.course import TRACKS, Course, CourseAssignment, Lesson, Module
from courses.models.quiz import Question, QuestionTag, Quiz, QuizQuestion

__all__ = ["TRACKS", "Answer", "Attempt", "Course", "CourseAssignment", "Lesson", "LessonProgress", "Module",
           "Question", "QuestionTag", "Quiz", "QuizQuestion"]
